import type { ConfirmOutcome, LinkState } from '../../delist/delist-requests.ts';
import { DELIST_LINK_MINUTES } from '../../delist/delist-requests.ts';
import { DELIST_LIMIT, DELIST_WINDOW_DAYS } from '../../reputation/restrictions.ts';
import { html, type SafeHtml } from '../html.ts';
import { portalPage } from './layout.ts';

/** The delist portal's pages: plain forms, no script. */

export function delistFormPage(
  values: { email?: string; ip?: string } = {},
  errors: { email?: string; ip?: string } = {},
): string {
  const field = (
    name: 'email' | 'ip',
    label: string,
    type: string,
    hint: string,
    autocomplete: string,
  ) => html`
    <label for="${name}">${label}</label>
    <input id="${name}" name="${name}" type="${type}" value="${values[name] ?? ''}" autocomplete="${autocomplete}"
      required maxlength="254" ${errors[name] ? html`aria-invalid="true" aria-describedby="${name}-error"` : ''}>
    <p class="hint">${hint}</p>
    ${errors[name] ? html`<p class="error" id="${name}-error">${errors[name]}</p>` : ''}`;
  return portalPage(
    'Delist an IP',
    html`<h1>Delist an IP address</h1>
<p>If mail you sent through the platform bounced with
<code>550 5.7.606 Access denied, banned sending IP [203.0.113.9]</code>, you can ask for that IP to be
delisted here. Enter one e-mail address and the one IP from the bounce. We mail you a link; the IP is delisted
only when you open the link and confirm.</p>
${errors.email || errors.ip ? html`<div class="notice bad" role="alert">Please correct the fields marked below.</div>` : ''}
<section class="card">
<form class="stack" method="post" action="/delist" novalidate>
  ${field('email', 'Your e-mail address', 'email', 'We send the confirmation link here.', 'email')}
  ${field('ip', 'IP address to delist', 'text', 'IPv4 (203.0.113.9) or IPv6 (2001:db8::25), as shown in the bounce.', 'off')}
  <p><button type="submit">Send confirmation link</button></p>
</form>
</section>
<p class="muted">Delisting lifts the block once the link is confirmed. An IP is blocked again if the abuse continues,
and an IP delisted ${DELIST_LIMIT} times within ${DELIST_WINDOW_DAYS} days needs our support team.</p>`,
  );
}

/** The same answer whether or not the IP is listed: nothing is revealed before the link is opened. */
export function delistSentPage(email: string, ip: string): string {
  return portalPage(
    'Check your mail',
    html`<h1>Check your mail</h1>
<div class="notice good" role="status">We have sent a confirmation link for <strong>${ip}</strong> to <strong>${email}</strong>.</div>
<p>Open the link within ${DELIST_LINK_MINUTES} minutes. It works once. Nothing changes until you open it and press
<strong>Delist IP</strong>.</p>
<p class="muted">No mail after a few minutes? Check your spam folder, or <a href="/delist">send a new request</a>.</p>`,
  );
}

export function messagePage(title: string, body: SafeHtml, tone: 'good' | 'bad' | '' = ''): string {
  return portalPage(title, html`<h1>${title}</h1><div class="notice ${tone}" role="status">${body}</div>`);
}

const newRequest = html`<p><a class="button" href="/delist">Request a new link</a></p>`;

const supportText = (ip: string) => html`
  <p><strong>${ip}</strong> has been delisted ${DELIST_LIMIT} times in the last ${DELIST_WINDOW_DAYS} days, so it cannot be
  delisted here again. Please contact our support team: tell them the IP, the bounce message you received and what you
  have done to stop the abuse.</p>`;

/** For a block the trust team placed: no reason, no note, nothing a stranger could learn from. */
const onlySupportText = (ip: string) => html`
  <p><strong>${ip}</strong> cannot be delisted through this portal. Please contact our support team: tell them the IP,
  the bounce message you received and what you have done to stop the abuse. Nothing has been changed.</p>`;

export function linkPage(link: LinkState, token: string): string {
  switch (link.state) {
    case 'invalid':
      return portalPage(
        'Link not valid',
        html`<h1>This link is not valid</h1><p>Copy the whole link from the mail, or request a new one.</p>${newRequest}`,
      );
    case 'expired':
      return portalPage(
        'Link expired',
        html`<h1>This link has expired</h1><p>Links work for ${DELIST_LINK_MINUTES} minutes. Request a new one for
        <strong>${link.ip}</strong>.</p>${newRequest}`,
      );
    case 'used':
      return portalPage(
        'Link used',
        html`<h1>This link has been used</h1><p>Each link works once. The request for <strong>${link.ip}</strong> is
        done (${outcomeText(link.result)}).</p>${newRequest}`,
      );
    case 'open':
      if (!link.blocked) {
        return portalPage(
          'IP not blocked',
          html`<h1>${link.ip} is not blocked</h1>
          <dl class="facts"><dt>IP address</dt><dd>${link.ip}</dd><dt>Status</dt><dd><span class="status status-ok">not blocked</span></dd></dl>
          <p>There is nothing to delist: this IP is not on our block list, and nothing has been changed. If your mail
          still bounces, the rejection may come from elsewhere; check the full bounce message.</p>`,
        );
      }
      if (link.blockedByPeople) {
        return portalPage('Contact support', html`<h1>Contact support</h1>${onlySupportText(link.ip)}`);
      }
      if (link.delistsLeft === 0) {
        return portalPage('Contact support', html`<h1>Contact support</h1>${supportText(link.ip)}`);
      }
      return portalPage(
        'Confirm delisting',
        html`<h1>Delist ${link.ip}</h1>
        <section class="card">
        <dl class="facts"><dt>IP address</dt><dd>${link.ip}</dd>
        <dt>Status</dt><dd><span class="status status-blocked">blocked</span></dd></dl>
        <form method="post" action="/delist/confirm">
          <input type="hidden" name="token" value="${token}">
          <p><button type="submit">Delist IP</button></p>
        </form>
        </section>
        <p class="muted">Delisting lifts the block now. If the abuse continues, the IP will be blocked again.</p>`,
      );
  }
}

const outcomeText = (status: string) =>
  status === 'delisted'
    ? 'the IP was delisted'
    : status === 'not_blocked'
      ? 'the IP was not blocked'
      : status === 'refused'
        ? 'the IP could not be delisted again; contact support'
        : 'in progress';

export function confirmResultPage(result: ConfirmOutcome, token: string): string {
  if ('state' in result) return linkPage(result, token);
  switch (result.outcome) {
    case 'delisted':
      return portalPage(
        'IP delisted',
        html`<h1>${result.ip} has been delisted</h1>
        <div class="notice good" role="status">The block on <strong>${result.ip}</strong> is lifted. Mail servers of the
        platform accept mail from it again within a minute.</div>
        <p>The IP will be blocked again if the abuse continues. Find out what caused the complaints (a compromised
        account, a list bought or not confirmed, a form abused by bots) and fix it, or the next block may not be
        delistable here.</p>`,
      );
    case 'not_blocked':
      return portalPage(
        'IP not blocked',
        html`<h1>${result.ip} is not blocked</h1><p>There was nothing to delist, and nothing has been changed.</p>`,
      );
    case 'refused':
      return portalPage('Contact support', html`<h1>Contact support</h1>${supportText(result.ip)}`);
    case 'support':
      return portalPage('Contact support', html`<h1>Contact support</h1>${onlySupportText(result.ip)}`);
  }
}

export function delistMailText(o: { ip: string; link: string }): string {
  return [
    'Hello,',
    '',
    `Someone (we hope you) asked to delist the IP address ${o.ip} from the platform's block list.`,
    '',
    'To see its status and delist it, open this link:',
    '',
    o.link,
    '',
    `The link works once and expires in ${DELIST_LINK_MINUTES} minutes. If you did not ask for this, ignore this mail: nothing changes until the link is opened and confirmed.`,
    '',
    'The IP will be blocked again if the abuse continues.',
    '',
    '-- ',
    'Repute, the abuse desk',
  ].join('\n');
}
