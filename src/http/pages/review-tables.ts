import { html, pathPart, type SafeHtml } from '../html.ts';
import type { AuditRow, EventRow, InboundSummary } from '../review-queries.ts';
import { formatNumber, formatRate } from './chart.ts';
import { statusBadge, type Viewer, when } from './layout.ts';

/** Tables the review pages share. Every value in them came from outside: all of it goes through `html`. */

export interface ReportItem {
  id: number;
  inboundId: number;
  status: string;
  format: string;
  feedbackType: string;
  channel: string;
  reporter: string | null;
  sourceIp: string | null;
  originalMailFrom: string | null;
  originalFrom: string | null;
  senderDomain: string | null;
  arrivalDate: Date | null;
  messageId: string | null;
  subject: string | null;
  tenant: string | null;
  ip: string | null;
  attributionMethod: string;
  senderDomainRegistered: boolean | null;
  evidenceLevel: string;
  evidenceDetail: string | null;
  weight: number;
  scoredWeight: number;
  trustedWeight: number;
  notScoredReason: string | null;
  warnings: string[];
  originalRcptTo: string[];
  reportedDomains: string[];
  authFailure: string | null;
  userAgent: string | null;
  createdAt: Date;
}

export const ipLink = (ip: string | null) =>
  ip ? html`<a href="/review/ips/${pathPart(ip)}">${ip}</a>` : html`<span class="muted">–</span>`;
export const tenantLink = (id: string | null) =>
  id ? html`<a href="/review/tenants/${pathPart(id)}">${id}</a>` : html`<span class="muted">–</span>`;

export const subjectLink = (subjectType: string, subject: string) =>
  subjectType === 'ip' ? ipLink(subject) : subjectType === 'tenant' ? tenantLink(subject) : html`${subject}`;

/** verified and partner evidence can block; claimed (a stranger's word) only warns. */
const evidenceBadge = (level: string) =>
  html`<span class="evidence evidence-${level.replace(/[^a-z]/g, '')}" title="${EVIDENCE_MEANING[level] ?? ''}">${level}</span>`;
const EVIDENCE_MEANING: Record<string, string> = {
  verified: 'the original carries the platform’s signature: can block',
  partner: 'a feedback-loop partner reported it: can block',
  claimed: 'a stranger’s word: can warn, never block',
};

const dash = (v: unknown) =>
  v === null || v === undefined || v === '' ? html`<span class="muted">–</span>` : html`${String(v)}`;

const REPORT_COLUMNS = 11;

/**
 * Reports, one row each, with a second row holding their fields behind a summary: in a
 * cell of its own row the field list has the table's whole width (in the last cell it had
 * a few characters and wrapped one to a line).
 */
export function reportsTable(items: ReportItem[]): SafeHtml {
  if (items.length === 0) return html`<p class="muted">No reports.</p>`;
  return html`<div class="table-wrap"><table class="reports">
<thead><tr><th>#</th><th>Arrived</th><th>Type</th><th>Status</th><th>Reporter</th><th>Source IP</th><th>Sender</th><th>Subject</th><th>Attributed by</th><th>Evidence</th><th class="num">Weight</th></tr></thead>
${items.map(
  (r) => html`<tbody class="report">
<tr>
  <td>${r.id}</td>
  <td>${when(r.createdAt)}</td>
  <td>${r.feedbackType}</td>
  <td>${statusBadge(r.status)}</td>
  <td>${dash(r.reporter)}</td>
  <td>${dash(r.sourceIp)}</td>
  <td>${dash(r.originalMailFrom ?? r.originalFrom)}${r.senderDomainRegistered === false ? html` <span class="status status-warned">unregistered</span>` : ''}</td>
  <td class="subject">${dash(r.subject)}</td>
  <td>${r.attributionMethod}</td>
  <td>${evidenceBadge(r.evidenceLevel)}</td>
  <td class="num">${formatNumber(r.scoredWeight)}</td>
</tr>
<tr class="fields"><td colspan="${String(REPORT_COLUMNS)}"><details><summary>Fields of report ${r.id}</summary><dl class="facts">
    <dt>Format</dt><dd>${r.format}</dd>
    <dt>Channel</dt><dd>${r.channel}</dd>
    <dt>Arrival date</dt><dd>${when(r.arrivalDate)}</dd>
    <dt>Message-ID</dt><dd>${dash(r.messageId)}</dd>
    <dt>MAIL FROM</dt><dd>${dash(r.originalMailFrom)}</dd>
    <dt>From</dt><dd>${dash(r.originalFrom)}</dd>
    <dt>Sender domain</dt><dd>${dash(r.senderDomain)}</dd>
    <dt>Recipients</dt><dd>${dash(r.originalRcptTo.join(', '))}</dd>
    <dt>Reported domains</dt><dd>${dash(r.reportedDomains.join(', '))}</dd>
    <dt>Auth failure</dt><dd>${dash(r.authFailure)}</dd>
    <dt>User agent</dt><dd>${dash(r.userAgent)}</dd>
    <dt>Tenant</dt><dd>${tenantLink(r.tenant)}</dd>
    <dt>IP</dt><dd>${ipLink(r.ip)}</dd>
    <dt>Evidence</dt><dd>${r.evidenceLevel}${r.evidenceDetail ? html` – ${r.evidenceDetail}` : ''}</dd>
    <dt>Weight</dt><dd>${r.weight} (scored ${r.scoredWeight}, trusted ${r.trustedWeight})${r.notScoredReason ? html` – ${r.notScoredReason}` : ''}</dd>
    <dt>Warnings</dt><dd>${dash(r.warnings.join('; '))}</dd>
  </dl><p><a href="/review/inbound/${r.inboundId}">Raw message #${r.inboundId}</a></p></details></td></tr>
</tbody>`,
)}
</table></div>`;
}

export function eventsTable(events: EventRow[], withSubject: boolean): SafeHtml {
  if (events.length === 0) return html`<p class="muted">No events.</p>`;
  return html`<div class="table-wrap"><table class="events">
<thead><tr><th>#</th><th>When</th><th>Event</th>${withSubject ? html`<th>Subject</th>` : ''}<th>Actor</th><th>Note</th><th>Metrics</th></tr></thead>
<tbody>
${events.map(
  (e) => html`<tr>
  <td>${e.id}</td><td>${when(e.createdAt)}</td><td>${e.type}</td>
  ${withSubject ? html`<td>${subjectLink(e.subjectType, e.subject)}</td>` : ''}
  <td>${e.actor}</td><td>${dash(e.note)}${e.ndr ? html`<br><code>${e.ndr}</code>` : ''}</td>
  <td class="muted">${metricsText(e.metrics)}</td>
</tr>`,
)}
</tbody></table></div>`;
}

function metricsText(m: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(m ?? {})) {
    if (v === null || v === undefined) continue;
    if (k === 'rate' && typeof v === 'number') parts.push(`rate ${formatRate(v)}`);
    else if (typeof v === 'number') parts.push(`${k} ${formatNumber(v)}`);
    else if (typeof v === 'string' || typeof v === 'boolean') parts.push(`${k} ${v}`);
  }
  return parts.join(', ');
}

export function auditTable(rows: AuditRow[]): SafeHtml {
  if (rows.length === 0) return html`<p class="muted">No audit entries.</p>`;
  return html`<div class="table-wrap"><table class="audit">
<thead><tr><th>When</th><th>Who</th><th>What</th><th>Why</th><th>Detail</th></tr></thead>
<tbody>
${rows.map(
  (a) => html`<tr><td>${when(a.createdAt)}</td><td>${a.actor}</td><td>${a.action}</td><td>${dash(a.note)}</td>
  <td class="muted"><code>${JSON.stringify(a.detail)}</code></td></tr>`,
)}
</tbody></table></div>`;
}

export function inboundTable(rows: InboundSummary[], viewer: Viewer, canAct: boolean): SafeHtml {
  if (rows.length === 0) return html`<p class="muted">No failed messages.</p>`;
  return html`<div class="table-wrap"><table class="inbound">
<thead><tr><th>#</th><th>Received</th><th>Channel</th><th>Reporter</th><th>Reason</th><th class="num">Size</th><th></th></tr></thead>
<tbody>
${rows.map(
  (m) => html`<tr>
  <td><a href="/review/inbound/${m.id}">${m.id}</a></td><td>${when(m.receivedAt)}</td><td>${m.channel}</td>
  <td>${dash(m.reporter)}</td><td><code>${dash(m.failureCode)}</code> ${m.failureDetail ? html`<span class="muted">${m.failureDetail.slice(0, 160)}</span>` : ''}</td>
  <td class="num">${formatNumber(m.size)}</td>
  <td>${canAct ? retryForm(m.id, viewer) : ''}</td>
</tr>`,
)}
</tbody></table></div>`;
}

export const retryForm = (id: number, viewer: Viewer) =>
  html`<form method="post" action="/review/inbound/${id}/retry"><input type="hidden" name="_csrf" value="${viewer.csrf}"><button type="submit" class="secondary">Re-process</button></form>`;

/** Where a page of reports stands: "50 of 160, newest first", with links to the older ones and back. */
export interface ReportPaging {
  total: number;
  /** Counting stopped here: the total is at least this. */
  cap: number;
  /** The `before` cursor of this page, when it is not the newest. */
  before: number | null;
  /** The cursor of the next, older page, when there is one. */
  next: number | null;
}

export function reportPagingLine(shown: number, p: ReportPaging, path: string): SafeHtml {
  if (p.total === 0) return html``;
  const total = p.total > p.cap ? `${formatNumber(p.cap)}+` : formatNumber(p.total);
  const links = [
    p.before !== null ? html`<a href="${path}">newest</a>` : null,
    p.next !== null ? html`<a href="${path}?before=${String(p.next)}#reports">older reports</a>` : null,
  ].filter((l) => l !== null);
  return html`<p class="muted paging">${formatNumber(shown)} of ${total}, newest first${p.before !== null ? ' (an older page)' : ''}${links.length ? html` · ${links.map((l, i) => (i ? html` · ${l}` : l))}` : ''}</p>`;
}
