import { escapeHtml, type SafeHtml, trustedHtml } from '../html.ts';
import type { DayPoint } from '../review-queries.ts';

/**
 * The 30-day chart of an IP or a tenant as inline SVG, drawn on the server: it needs no
 * script, prints, and shows its numbers on hover through <title>. Three panels share
 * the day axis: complaints (bars), delivered volume (bars) and the rate (a line).
 */
const W = 760;
const LEFT = 70;
const RIGHT = 12;
const PANEL = 64;
const GAP = 30;
const TOP = 22;

export const formatNumber = (n: number): string =>
  n >= 1_000_000
    ? `${(n / 1_000_000).toFixed(1)}M`
    : n >= 10_000
      ? `${(n / 1000).toFixed(0)}k`
      : n >= 1000
        ? `${(n / 1000).toFixed(1)}k`
        : Number.isInteger(n)
          ? String(n)
          : n.toFixed(1);

export const formatRate = (r: number | null): string => (r === null ? '–' : `${(r * 100).toFixed(3)} %`);

export function historyChart(points: DayPoint[], label: string): SafeHtml {
  const n = Math.max(points.length, 1);
  const step = (W - LEFT - RIGHT) / n;
  const barW = Math.max(2, step * 0.7);
  const x = (i: number) => LEFT + i * step + (step - barW) / 2;
  const parts: string[] = [];
  const panels = [
    { key: 'complaints', title: 'Complaints', color: '#c0392b', fmt: formatNumber },
    { key: 'volume', title: 'Volume', color: '#2e6da4', fmt: formatNumber },
    { key: 'rate', title: 'Rate', color: '#8e44ad', fmt: formatRate },
  ] as const;
  panels.forEach((p, k) => {
    const top = TOP + k * (PANEL + GAP);
    const bottom = top + PANEL;
    const values = points.map((d) => (p.key === 'rate' ? (d.rate ?? 0) : d[p.key]));
    const max = Math.max(...values, 0);
    const scale = (v: number) => (max > 0 ? (v / max) * PANEL : 0);
    parts.push(
      `<text x="${LEFT - 8}" y="${top + 10}" text-anchor="end" class="axis">${escapeHtml(p.fmt(max))}</text>`,
      `<text x="${LEFT - 8}" y="${bottom}" text-anchor="end" class="axis">0</text>`,
      `<text x="${LEFT}" y="${top - 6}" class="panel-title" fill="${p.color}">${p.title}</text>`,
      `<line x1="${LEFT}" y1="${bottom + 0.5}" x2="${W - RIGHT}" y2="${bottom + 0.5}" stroke="#999" stroke-width="1"/>`,
    );
    if (p.key === 'rate') {
      const pts = points
        .map((d, i) =>
          d.rate === null ? null : `${(x(i) + barW / 2).toFixed(1)},${(bottom - scale(d.rate)).toFixed(1)}`,
        )
        .filter((s): s is string => s !== null);
      if (pts.length > 1) {
        parts.push(`<polyline points="${pts.join(' ')}" fill="none" stroke="${p.color}" stroke-width="2"/>`);
      }
      points.forEach((d, i) => {
        if (d.rate === null) return;
        parts.push(
          `<circle cx="${(x(i) + barW / 2).toFixed(1)}" cy="${(bottom - scale(d.rate)).toFixed(1)}" r="3" fill="${p.color}"><title>${d.day}: ${escapeHtml(formatRate(d.rate))}</title></circle>`,
        );
      });
      if (pts.length === 0) {
        parts.push(
          `<text x="${(LEFT + W - RIGHT) / 2}" y="${top + PANEL / 2}" text-anchor="middle" class="axis">no volume reported: no rate</text>`,
        );
      }
    } else {
      points.forEach((d, i) => {
        const v = d[p.key];
        const h = scale(v);
        parts.push(
          `<rect x="${x(i).toFixed(1)}" y="${(bottom - h).toFixed(1)}" width="${barW.toFixed(1)}" height="${Math.max(h, v > 0 ? 1 : 0).toFixed(1)}" fill="${p.color}"><title>${d.day}: ${escapeHtml(p.fmt(v))}${p.key === 'complaints' ? ` (${d.reports} reports)` : ''}</title></rect>`,
        );
      });
    }
  });
  const axisY = TOP + 3 * PANEL + 2 * GAP + 16;
  points.forEach((d, i) => {
    // Every seventh day and the last, without crowding the last label into its neighbour.
    const last = i === points.length - 1;
    if (!last && (i % 7 !== 0 || i > points.length - 5)) return;
    parts.push(
      `<text x="${(x(i) + barW / 2).toFixed(1)}" y="${axisY}" text-anchor="middle" class="axis">${d.day.slice(5)}</text>`,
    );
  });
  const height = axisY + 8;
  return trustedHtml(
    `<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${height}" width="${W}" height="${height}" role="img" aria-label="${escapeHtml(label)}"><title>${escapeHtml(label)}</title>${parts.join('')}</svg>`,
  );
}
