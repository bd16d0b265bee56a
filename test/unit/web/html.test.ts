import { describe, expect, it } from 'vitest';
import { html, trustedHtml } from '../../../src/http/html.ts';
import { historyChart } from '../../../src/http/pages/chart.ts';

describe('html', () => {
  it('escapes every interpolated value', () => {
    const hostile = `<script>alert("x")</script>' onload=\`y\` &amp;`;
    expect(html`<p title="${hostile}">${hostile}</p>`.value).toBe(
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39; onload=&#96;y&#96; &amp;amp;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39; onload=&#96;y&#96; &amp;amp;</p>',
    );
  });

  it('nests escaped fragments without escaping them twice, and renders lists', () => {
    const items = ['<a>', 'b&c'].map((x) => html`<li>${x}</li>`);
    expect(html`<ul>${items}</ul>`.value).toBe('<ul><li>&lt;a&gt;</li><li>b&amp;c</li></ul>');
    expect(html`${trustedHtml('<b>ours</b>')}`.value).toBe('<b>ours</b>');
  });

  it('leaves out null, undefined and false', () => {
    expect(html`[${null}${undefined}${false}${0}]`.value).toBe('[0]');
  });
});

describe('historyChart', () => {
  const days = Array.from({ length: 30 }, (_, i) => ({
    day: `2026-11-${String(i + 1).padStart(2, '0')}`,
    complaints: i === 29 ? 12 : 0,
    reports: i === 29 ? 10 : 0,
    volume: i >= 28 ? 4000 : 0,
    rate: i === 29 ? 12 / 4000 : i === 28 ? 0 : null,
  }));

  it('draws a bar per day with its numbers in a tooltip, and a label that is escaped', () => {
    const svg = historyChart(days, 'IP <x>').value;
    expect(svg.startsWith('<svg class="chart"')).toBe(true);
    expect(svg).toContain('aria-label="IP &lt;x&gt;"');
    expect(svg.match(/<rect /g)).toHaveLength(60);
    expect(svg).toContain('<title>2026-11-30: 12 (10 reports)</title>');
    expect(svg).toContain('<title>2026-11-30: 0.300 %</title>');
    expect(svg).toContain('<polyline');
  });

  it('says when there is no volume to form a rate', () => {
    const svg = historyChart(
      days.map((d) => ({ ...d, volume: 0, rate: null })),
      'x',
    ).value;
    expect(svg).toContain('no volume reported: no rate');
  });
});
