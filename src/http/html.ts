/**
 * HTML built with a tagged template that escapes every interpolated value, so a report
 * subject such as `<script>` is shown as text. Only `SafeHtml` (what `html` returns, or
 * `trustedHtml` for markup we wrote ourselves) goes in unescaped.
 */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

export const escapeHtml = (s: string): string => s.replace(/[&<>"'`]/g, (c) => ESCAPES[c]!);

type Value = SafeHtml | string | number | boolean | null | undefined | Date | Value[];

function render(v: Value): string {
  if (v === null || v === undefined || v === false) return '';
  if (v instanceof SafeHtml) return v.value;
  if (Array.isArray(v)) return v.map(render).join('');
  if (v instanceof Date) return escapeHtml(v.toISOString());
  return escapeHtml(String(v));
}

export function html(strings: TemplateStringsArray, ...values: Value[]): SafeHtml {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += render(values[i]!) + strings[i + 1]!;
  return new SafeHtml(out);
}

/** Markup we generated ourselves (e.g. an SVG built from numbers); never for input. */
export const trustedHtml = (markup: string): SafeHtml => new SafeHtml(markup);

/** A URL path segment: encoded, then escaped by `html` like anything else. */
export const pathPart = (s: string): string => encodeURIComponent(s);
