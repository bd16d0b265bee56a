import { html, type SafeHtml } from '../html.ts';
import { document } from './layout.ts';

/** The parts of an OpenAPI 3 document the docs page shows. */
interface Operation {
  summary?: string;
  description?: string;
  tags?: string[];
  parameters?: Array<{
    name: string;
    in: string;
    required?: boolean;
    description?: string;
    schema?: Record<string, unknown>;
  }>;
}
export interface OpenApiDoc {
  info: { title: string; version: string; description?: string };
  tags?: Array<{ name: string; description?: string }>;
  paths: Record<string, Record<string, Operation>>;
}

const typeOf = (schema: Record<string, unknown> | undefined): string => {
  if (!schema) return '';
  const parts = [String(schema.type ?? '')];
  if (Array.isArray(schema.enum)) parts.push(`one of ${schema.enum.join(', ')}`);
  if (schema.minimum !== undefined) parts.push(`≥ ${schema.minimum}`);
  if (schema.maximum !== undefined) parts.push(`≤ ${schema.maximum}`);
  if (schema.default !== undefined) parts.push(`default ${schema.default}`);
  return parts.filter(Boolean).join(', ');
};

function operation(method: string, path: string, op: Operation): SafeHtml {
  const params = op.parameters ?? [];
  return html`<section class="card" id="${method}-${path}">
<h3><code>${method.toUpperCase()} ${path}</code></h3>
${op.summary ? html`<p><strong>${op.summary}</strong></p>` : ''}
${op.description ? html`<p>${op.description}</p>` : ''}
${
  params.length
    ? html`<div class="table-wrap"><table><thead><tr><th>Parameter</th><th>In</th><th>Type</th><th>Required</th></tr></thead><tbody>
${params.map((p) => html`<tr><td><code>${p.name}</code></td><td>${p.in}</td><td>${typeOf(p.schema)}</td><td>${p.required ? 'yes' : 'no'}</td></tr>`)}
</tbody></table></div>`
    : ''
}
</section>`;
}

/** The API reference as a plain page (no script: the pages' Content-Security-Policy allows none), from the OpenAPI document. */
export function apiDocsPage(doc: OpenApiDoc): string {
  const byTag = new Map<string, SafeHtml[]>();
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const tag = op.tags?.[0] ?? 'other';
      byTag.set(tag, [...(byTag.get(tag) ?? []), operation(method, path, op)]);
    }
  }
  const tags = [
    ...(doc.tags ?? []).map((t) => t.name),
    ...[...byTag.keys()].filter((t) => !(doc.tags ?? []).some((d) => d.name === t)),
  ];
  const body = html`<h1>${doc.info.title} API ${doc.info.version}</h1>
<p>${doc.info.description ?? ''}</p>
<p>The same as a machine reads it: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3).</p>
${tags.map((tag) => {
  const ops = byTag.get(tag);
  if (!ops) return '';
  const description = doc.tags?.find((t) => t.name === tag)?.description;
  return html`<h2 id="${tag}">${tag}${description ? html` <span class="muted">– ${description}</span>` : ''}</h2>${ops}`;
})}`;
  const header = html`<header class="top"><a class="brand" href="/docs">Repute API</a><a href="/review">Review desk</a></header>`;
  return document({ title: 'API', body, header });
}
