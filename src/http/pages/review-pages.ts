import type { RankedScore, ScoreView } from '../../reputation/read-scores.ts';
import { UNRESTRICT_CHECKS } from '../../reputation/restrictions.ts';
import { html, pathPart, type SafeHtml } from '../html.ts';
import type {
  AuditRow,
  DayPoint,
  EventRow,
  InboundSummary,
  Overview,
  QueueCounts,
} from '../review-queries.ts';
import type { IpFacts, TenantFacts } from '../subject-queries.ts';
import { formatNumber, formatRate, historyChart } from './chart.ts';
import { reviewPage, statusBadge, type Viewer, when } from './layout.ts';
import {
  auditTable,
  eventsTable,
  inboundTable,
  ipLink,
  type ReportItem,
  type ReportPaging,
  reportPagingLine,
  reportsTable,
  retryForm,
  tenantLink,
} from './review-tables.ts';

export function signInPage(o: { csrf: string; next: string; error?: string }): string {
  return reviewPage(
    'Sign in',
    html`<h1>Sign in to the review desk</h1>
${o.error ? html`<div class="notice bad" role="alert">${o.error}</div>` : ''}
<section class="card">
<form class="stack" method="post" action="/review/sign-in">
  <input type="hidden" name="_csrf" value="${o.csrf}">
  <input type="hidden" name="next" value="${o.next}">
  <label for="token">API token</label>
  <input id="token" name="token" type="password" autocomplete="off" required>
  <p class="hint">A token of role viewer, analyst or admin, from <code>repute token create</code>.</p>
  <p><button type="submit">Sign in</button></p>
</form>
</section>`,
    null,
  );
}

export function errorPage(title: string, message: string, viewer: Viewer | null, back?: string): string {
  return reviewPage(
    title,
    html`<h1>${title}</h1><div class="notice bad" role="alert">${message}</div>
    ${back ? html`<p><a href="${back}">Back</a></p>` : html`<p><a href="/review">Back to the overview</a></p>`}`,
    viewer,
  );
}

const metric = (label: string, value: SafeHtml | string) =>
  html`<div class="metric"><div class="value">${value}</div><div class="label">${label}</div></div>`;

const bounds = (s: ScoreView) =>
  s.lowerBound === null || s.upperBound === null
    ? html`<span class="muted">–</span>`
    : html`${formatRate(s.lowerBound)} – ${formatRate(s.upperBound)}`;

function queueLine(name: string, c: QueueCounts) {
  if (!c) return html`<tr><td>${name}</td><td colspan="5" class="muted">Redis does not answer</td></tr>`;
  return html`<tr><td>${name}</td><td class="num">${c.waiting}</td><td class="num">${c.active}</td><td class="num">${c.delayed}</td><td class="num">${c.failed}</td><td class="num">${c.completed}</td></tr>`;
}

function scoreRows(
  rows: Array<RankedScore & { tenantStatus?: string; name?: string | null }>,
  kind: 'ip' | 'tenant',
) {
  if (rows.length === 0) return html`<p class="muted">No scores yet.</p>`;
  return html`<div class="table-wrap"><table>
<thead><tr><th>${kind === 'ip' ? 'IP' : 'Tenant'}</th><th>Status</th><th class="num">Complaints</th><th class="num">Volume</th><th class="num">Rate</th><th>Bounds</th><th class="num">Reports</th></tr></thead>
<tbody>${rows.map(
    (
      r,
    ) => html`<tr><td>${kind === 'ip' ? ipLink(r.subject) : tenantLink(r.subject)}${r.name ? html` <span class="muted">${r.name}</span>` : ''}</td>
    <td>${statusBadge(kind === 'tenant' ? (r.tenantStatus ?? r.status) : r.status)}</td>
    <td class="num">${formatNumber(r.complaints)}</td><td class="num">${formatNumber(r.volume)}</td>
    <td class="num">${formatRate(r.rate)}</td><td>${bounds(r)}</td><td class="num">${r.reports}</td></tr>`,
  )}</tbody></table></div>`;
}

export function overviewPage(o: Overview, viewer: Viewer, canAct: boolean, notice?: string): string {
  return reviewPage(
    'Overview',
    html`<h1>Overview</h1>
${notice ? html`<div class="notice good" role="status">${notice}</div>` : ''}
<form method="get" action="/review/find" class="card"><label for="q">Find an IP or a tenant</label>
<input id="q" name="q" type="text" placeholder="203.0.113.9 or tenant id"> <button type="submit" class="secondary">Open</button></form>
<h2>Worst IPs</h2>${scoreRows(o.ips, 'ip')}
<h2>Worst tenants</h2>${scoreRows(o.tenants, 'tenant')}
<h2>Recent restriction events</h2>${eventsTable(o.events, true)}
<h2>Failed inbound messages</h2>${inboundTable(o.failedInbound, viewer, canAct)}
<h2>Pending delist requests</h2>
${
  o.pendingDelists.length === 0
    ? html`<p class="muted">None.</p>`
    : html`<div class="table-wrap"><table><thead><tr><th>#</th><th>IP</th><th>E-mail</th><th>From</th><th>Asked</th><th>Link expires</th></tr></thead><tbody>
      ${o.pendingDelists.map(
        (d) =>
          html`<tr><td>${d.id}</td><td>${ipLink(d.ip)}</td><td>${d.email}</td><td>${d.clientAddress ?? ''}</td><td>${when(d.createdAt)}</td><td>${when(d.expiresAt)}</td></tr>`,
      )}</tbody></table></div>`
}
<h2>Queues</h2>
<div class="table-wrap"><table><thead><tr><th>Queue</th><th class="num">Waiting</th><th class="num">Active</th><th class="num">Delayed</th><th class="num">Failed</th><th class="num">Completed (kept)</th></tr></thead>
<tbody>${queueLine('reports', o.queues.reports)}${queueLine('events', o.queues.events)}</tbody></table></div>`,
    viewer,
  );
}

const noteField = (id: string) => html`
  <label for="${id}">Note (why)</label>
  <textarea id="${id}" name="note" required minlength="3" maxlength="2000" placeholder="What you saw and why you act"></textarea>`;

function ipActions(ip: string, status: string, viewer: Viewer): SafeHtml {
  const blocked = status === 'blocked';
  return html`<section class="card actions">
<form class="stack" method="post" action="/review/ips/${pathPart(ip)}/${blocked ? 'unblock' : 'block'}">
  <input type="hidden" name="_csrf" value="${viewer.csrf}">
  ${noteField(blocked ? 'unblock-note' : 'block-note')}
  <p><button type="submit" class="${blocked ? '' : 'danger'}">${blocked ? 'Unblock IP' : 'Block IP'}</button></p>
</form>
</section>`;
}

/** Why a subject is where it is: the latest event that put it there, who did it, on what numbers. */
function why(status: string, events: EventRow[], types: string[]): SafeHtml {
  if (status === 'ok') return html``;
  const e = events.find((x) => types.includes(x.type));
  if (!e) return html``;
  const m = e.metrics ?? {};
  const facts = [
    typeof m.complaints === 'number' ? `${formatNumber(m.complaints)} complaints` : null,
    typeof m.volume === 'number' ? `volume ${formatNumber(m.volume)}` : null,
    typeof m.rate === 'number' ? `rate ${formatRate(m.rate)}` : null,
    typeof m.reason === 'string' ? `rule: ${m.reason}` : null,
  ].filter((x): x is string => x !== null);
  return html`<div class="notice bad"><strong>Why:</strong> ${e.type} by ${e.actor} on ${when(e.createdAt)}${
    facts.length ? html` – ${facts.join(', ')}` : ''
  }${e.note ? html`. Note: “${e.note}”` : ''}${e.reportId ? html`. Tipped by report #${e.reportId}` : ''}${
    e.ndr ? html`<br>Senders see: <code>${e.ndr}</code>` : ''
  }</div>`;
}

export interface IpPageData extends IpFacts {
  history: DayPoint[];
  reports: ReportItem[];
  reportPaging: ReportPaging;
  events: EventRow[];
  audit: AuditRow[];
  delists: Array<{ id: number; email: string; status: string; createdAt: Date; usedAt: Date | null }>;
}

export function ipPage(d: IpPageData, viewer: Viewer, canAct: boolean, notice?: string): string {
  return reviewPage(
    d.ip,
    html`<h1>IP ${d.ip} ${statusBadge(d.score.status)}</h1>
${notice ? html`<div class="notice good" role="status">${notice}</div>` : ''}
${why(d.score.status, d.events, ['ip.blocked', 'ip.warned'])}
<div class="grid">
${metric('Complaints (decayed)', formatNumber(d.score.complaints))}
${metric('Trusted complaints', formatNumber(d.score.trustedComplaints))}
${metric('Volume (decayed)', formatNumber(d.score.volume))}
${metric('Rate', formatRate(d.score.rate))}
${metric('Rate bounds', bounds(d.score))}
${metric('Reports', String(d.score.reports))}
${metric('Owner', d.tenant ? tenantLink(d.tenant) : d.pool ? html`pool ${d.pool}` : d.platform ? 'platform' : 'not a platform IP')}
${metric('Status since', when(d.score.statusSince))}
</div>
<h2>Last 30 days</h2>
<section class="card">${historyChart(d.history, `Complaints, volume and rate of ${d.ip} over 30 days`)}</section>
${canAct ? html`<h2>Act</h2>${ipActions(d.ip, d.score.status, viewer)}` : ''}
<h2 id="reports">Reports behind the score</h2>${reportPagingLine(d.reports.length, d.reportPaging, `/review/ips/${pathPart(d.ip)}`)}${reportsTable(d.reports)}
<h2>Events</h2>${eventsTable(d.events, false)}
<h2>Audit log</h2>${auditTable(d.audit)}
<h2>Delist requests</h2>
${
  d.delists.length === 0
    ? html`<p class="muted">None.</p>`
    : html`<div class="table-wrap"><table><thead><tr><th>#</th><th>E-mail</th><th>Status</th><th>Asked</th><th>Used</th></tr></thead><tbody>
    ${d.delists.map((r) => html`<tr><td>${r.id}</td><td>${r.email}</td><td>${statusBadge(r.status)}</td><td>${when(r.createdAt)}</td><td>${when(r.usedAt)}</td></tr>`)}
    </tbody></table></div>`
}`,
    viewer,
  );
}

function tenantActions(id: string, status: string, viewer: Viewer): SafeHtml {
  const restricted = status === 'restricted_unregistered';
  const labels: Record<(typeof UNRESTRICT_CHECKS)[number], string> = {
    domainsRegistered: 'All sending domains are registered',
    connectorsReviewed: 'Inbound connectors have been reviewed',
    relaysSecured: 'On-premises relays are secured',
  };
  return html`<section class="card actions">
<form class="stack" method="post" action="/review/tenants/${pathPart(id)}/${restricted ? 'unrestrict' : 'restrict'}">
  <input type="hidden" name="_csrf" value="${viewer.csrf}">
  ${
    restricted
      ? html`<fieldset class="checks"><legend>Checked with the tenant</legend>
      ${UNRESTRICT_CHECKS.map((c) => html`<label><input type="checkbox" name="${c}" value="yes" required> ${labels[c]}</label>`)}
      </fieldset>`
      : ''
  }
  ${noteField(restricted ? 'unrestrict-note' : 'restrict-note')}
  <p><button type="submit" class="${restricted ? '' : 'danger'}">${restricted ? 'Lift restriction' : 'Restrict to registered domains'}</button></p>
</form>
</section>`;
}

export interface TenantPageData extends TenantFacts {
  history: DayPoint[];
  reports: ReportItem[];
  reportPaging: ReportPaging;
  events: EventRow[];
  audit: AuditRow[];
  notices: Array<{
    eventId: number;
    status: string;
    recipient: string | null;
    sentAt: Date | null;
    lastError: string | null;
  }>;
}

export function tenantPage(d: TenantPageData, viewer: Viewer, canAct: boolean, notice?: string): string {
  return reviewPage(
    d.id,
    html`<h1>Tenant ${d.id} ${statusBadge(d.status)}</h1>
${notice ? html`<div class="notice good" role="status">${notice}</div>` : ''}
${why(d.status === 'restricted_unregistered' ? 'restricted' : 'ok', d.events, ['tenant.restricted_unregistered'])}
<p class="muted">${d.name}${d.contactEmail ? html` · contact ${d.contactEmail}` : html` · no contact address`}</p>
<div class="grid">
${metric('Complaints (decayed)', formatNumber(d.score.complaints))}
${metric('Volume (decayed)', formatNumber(d.score.volume))}
${metric('Rate', formatRate(d.score.rate))}
${metric('Unregistered-domain complaints', formatNumber(d.unregisteredScore.complaints))}
${metric('… of them trusted', formatNumber(d.unregisteredScore.trustedComplaints))}
${metric('Unregistered-domain rate', formatRate(d.unregisteredScore.rate))}
${metric('Reports', String(d.score.reports))}
</div>
<section class="card"><dl class="facts">
<dt>Registered domains</dt><dd>${d.domains.length ? d.domains.join(', ') : html`<span class="muted">none</span>`}</dd>
<dt>Dedicated IPs</dt><dd>${d.ips.length ? d.ips.map((ip, i) => html`${i ? ', ' : ''}${ipLink(ip)}`) : html`<span class="muted">none</span>`}</dd>
</dl></section>
<h2>Last 30 days</h2>
<section class="card">${historyChart(d.history, `Complaints, volume and rate of ${d.id} over 30 days`)}</section>
${canAct ? html`<h2>Act</h2>${tenantActions(d.id, d.status, viewer)}` : ''}
<h2 id="reports">Reports behind the score</h2>${reportPagingLine(d.reports.length, d.reportPaging, `/review/tenants/${pathPart(d.id)}`)}${reportsTable(d.reports)}
<h2>Events</h2>${eventsTable(d.events, false)}
<h2>Notices to the tenant</h2>
${
  d.notices.length === 0
    ? html`<p class="muted">None.</p>`
    : html`<div class="table-wrap"><table><thead><tr><th>Event</th><th>Status</th><th>To</th><th>Sent</th><th>Last error</th></tr></thead><tbody>
    ${d.notices.map((n) => html`<tr><td>${n.eventId}</td><td>${statusBadge(n.status)}</td><td>${n.recipient ?? ''}</td><td>${when(n.sentAt)}</td><td>${n.lastError ?? ''}</td></tr>`)}
    </tbody></table></div>`
}
<h2>Audit log</h2>${auditTable(d.audit)}`,
    viewer,
  );
}

export function inboundPage(
  m: InboundSummary & { raw: Buffer; truncated: boolean },
  reports: ReportItem[],
  viewer: Viewer,
  canAct: boolean,
  notice?: string,
): string {
  return reviewPage(
    `Message ${m.id}`,
    html`<h1>Inbound message ${m.id} ${statusBadge(m.status)}</h1>
${notice ? html`<div class="notice good" role="status">${notice}</div>` : ''}
<section class="card"><dl class="facts">
<dt>Channel</dt><dd>${m.channel}</dd><dt>Reporter</dt><dd>${m.reporter ?? ''}</dd>
<dt>Received</dt><dd>${when(m.receivedAt)}</dd><dt>Processed</dt><dd>${when(m.processedAt)}</dd>
<dt>Size</dt><dd>${formatNumber(m.size)} bytes</dd>
${m.failureCode ? html`<dt>Reason</dt><dd><code>${m.failureCode}</code> ${m.failureDetail ?? ''}</dd>` : ''}
</dl>
${m.status === 'failed' && canAct ? retryForm(m.id, viewer) : ''}
</section>
<h2>Reports from this message</h2>${reportsTable(reports)}
<h2>Raw message</h2>
<p><a href="/review/inbound/${m.id}/raw">As plain text</a>${m.truncated ? html` · <span class="muted">first ${formatNumber(m.raw.length)} bytes shown</span>` : ''}</p>
<pre class="raw">${m.raw.toString('utf8')}</pre>`,
    viewer,
  );
}
