import { html, type SafeHtml } from '../html.ts';

export interface Viewer {
  name: string;
  role: string;
  csrf: string;
}

/** A whole HTML document; `body` is already escaped by `html`. */
export function document(o: { title: string; body: SafeHtml; header: SafeHtml; narrow?: boolean }): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${o.title} · Repute</title>
<link rel="stylesheet" href="/assets/repute.css">
</head>
<body>
${o.header}
<main class="${o.narrow ? 'narrow' : ''}">
${o.body}
</main>
</body>
</html>
`.value;
}

export function reviewPage(title: string, body: SafeHtml, viewer: Viewer | null): string {
  const header = html`<header class="top">
  <a class="brand" href="/review">Repute review desk</a>
  ${viewer ? html`<a href="/review">Overview</a>` : ''}
  ${
    viewer
      ? html`<span class="who"><span>${viewer.name} (${viewer.role})</span>
      <form method="post" action="/review/sign-out"><input type="hidden" name="_csrf" value="${viewer.csrf}"><button type="submit">Sign out</button></form></span>`
      : ''
  }
</header>`;
  return document({ title, body, header });
}

export function portalPage(title: string, body: SafeHtml): string {
  const header = html`<header class="top"><a class="brand" href="/delist">Repute · Delist portal</a></header>`;
  return document({ title, body, header, narrow: true });
}

export const statusBadge = (status: string | null | undefined): SafeHtml =>
  html`<span class="status status-${(status ?? 'ok').replace(/[^a-z_]/g, '')}">${status ?? 'ok'}</span>`;

export const when = (d: Date | string | null | undefined): SafeHtml => {
  if (!d) return html`<span class="muted">–</span>`;
  const date = d instanceof Date ? d : new Date(d);
  return html`<time datetime="${date.toISOString()}">${date.toISOString().slice(0, 16).replace('T', ' ')} UTC</time>`;
};
