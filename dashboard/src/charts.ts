// Small SVG charts drawn by hand: score-vs-band bar, histogram, control chart, rate bars.
// Colours come from CSS classes (z-pass/z-review/z-fail, pt-*), so the palette lives in one place.
import { fmtPct, fmtScore, s } from './dom.ts';
import type { Band, JudgedVerdict, Verdict } from './types.ts';

// viewBox widths near each chart's usual size on screen, so text keeps a readable scale.
const W = 600;
const HIST_W = 440;
const CTRL_W = 720;
const RATES_W = 900;

function svg(width: number, height: number, label: string, cls = ''): SVGElement {
  return s('svg', {
    viewBox: `0 0 ${width} ${height}`,
    class: `chart ${cls}`.trim(),
    role: 'img',
    'aria-label': label,
  });
}

const text = (x: number, y: number, str: string, cls = 'axis', anchor = 'middle') =>
  s('text', { x, y, class: cls, 'text-anchor': anchor }, str);

/** Where a score sits against the product's tolerance band: three labelled zones and a marker. */
export function scoreBar(score: number | null, band: Band | null): SVGElement {
  const H = 90;
  const el = svg(W, H, score === null ? 'no score' : `score ${fmtScore(score)}`, 'scorebar-chart');
  if (!band) {
    el.append(text(W / 2, 44, 'no tolerance band for this item'));
    return el;
  }
  // Zoom on the band: scores are distances, and the interesting part is around its edges.
  const w = Math.max(band.failAt - band.reviewAt, 1e-9);
  let lo = Math.max(0, band.reviewAt - 3 * w);
  let hi = band.failAt + 1.6 * w;
  if (score !== null) {
    lo = Math.min(lo, Math.max(0, score - 0.4 * w));
    hi = Math.max(hi, score + 0.4 * w);
  }
  const x = (v: number) => 10 + ((Math.min(Math.max(v, lo), hi) - lo) / (hi - lo)) * (W - 20);
  const top = 32,
    bh = 28;
  const zone = (from: number, to: number, name: string, label: string) => {
    const x0 = x(from),
      x1 = x(to);
    el.append(s('rect', { x: x0, y: top, width: Math.max(0, x1 - x0), height: bh, class: `z-${name}` }));
    if (x1 - x0 > 50) el.append(text((x0 + x1) / 2, top + 17, label, `zone-text t-${name}`));
  };
  zone(lo, band.reviewAt, 'pass', 'pass');
  zone(band.reviewAt, band.failAt, 'review', 'review');
  zone(band.failAt, hi, 'fail', 'fail');
  el.append(
    text(x(band.reviewAt) - 4, top + bh + 16, fmtScore(band.reviewAt), 'axis', 'end'),
    text(x(band.failAt) + 4, top + bh + 16, fmtScore(band.failAt), 'axis', 'start'),
    s('line', { x1: x(band.reviewAt), x2: x(band.reviewAt), y1: top, y2: top + bh + 4, class: 'band-line b-review' }),
    s('line', { x1: x(band.failAt), x2: x(band.failAt), y1: top, y2: top + bh + 4, class: 'band-line b-fail' }),
  );
  if (score !== null) {
    const sx = x(score);
    const anchor = sx < 60 ? 'start' : sx > W - 60 ? 'end' : 'middle';
    el.append(
      s('path', { d: `M${sx - 8},${top - 12} L${sx + 8},${top - 12} L${sx},${top - 2} Z`, class: 'marker' }),
      s('line', { x1: sx, x2: sx, y1: top - 2, y2: top + bh + 2, class: 'marker-line' }),
      text(sx, top - 15, `score ${fmtScore(score)}`, 'marker-text', anchor),
    );
  }
  return el;
}

/** Score distribution with the band edges drawn in. */
export function histogram(edges: number[], counts: number[], band: Band | null): SVGElement {
  const H = 200;
  const el = svg(HIST_W, H, `histogram of ${counts.reduce((a, b) => a + b, 0)} scores`);
  const left = 34,
    right = HIST_W - 10,
    top = 14,
    bottom = H - 26;
  const lo = edges[0],
    hi = edges[edges.length - 1];
  const x = (v: number) => left + ((v - lo) / (hi - lo)) * (right - left);
  const maxCount = Math.max(1, ...counts);
  const y = (c: number) => bottom - (c / maxCount) * (bottom - top);
  el.append(s('line', { x1: left, x2: right, y1: bottom, y2: bottom, class: 'axis-line' }));
  counts.forEach((c, i) => {
    if (c === 0) return;
    const mid = (edges[i] + edges[i + 1]) / 2;
    const zone = !band || mid < band.reviewAt ? 'pass' : mid < band.failAt ? 'review' : 'fail';
    el.append(
      s('rect', {
        x: x(edges[i]) + 1,
        y: y(c),
        width: Math.max(1, x(edges[i + 1]) - x(edges[i]) - 2),
        height: bottom - y(c),
        class: `bar z-${zone}-strong`,
      }),
    );
  });
  if (band) {
    for (const [name, v] of [
      ['review', band.reviewAt],
      ['fail', band.failAt],
    ] as const) {
      if (v < lo || v > hi) continue;
      el.append(
        s('line', { x1: x(v), x2: x(v), y1: top, y2: bottom, class: `band-line b-${name}` }),
        text(x(v), top + 10, name, `axis b-${name}-text`),
      );
    }
  }
  el.append(
    text(left, H - 8, fmtScore(lo)),
    text(right, H - 8, fmtScore(hi), 'axis', 'end'),
    text(left - 4, top + 10, String(maxCount), 'axis', 'end'),
  );
  return el;
}

/**
 * Scores over time with the band as shaded zones, and a moving mean of the last `window` items.
 * `range` is the score axis: the product's histogram range from the server, so every maker's chart shares it.
 */
export function controlChart(
  series: { t: number; score: number; verdict: Verdict }[],
  band: Band | null,
  range: readonly number[],
  since: number,
  until: number,
  window = 20,
): SVGElement {
  const H = 200;
  const el = svg(CTRL_W, H, `control chart of ${series.length} scores`);
  const left = 44,
    right = CTRL_W - 10,
    top = 8,
    bottom = H - 26;
  // A little room so a point on the range's edge is drawn whole.
  const room = (range[range.length - 1] - range[0]) * 0.04;
  const lo = Math.max(0, range[0] - room),
    hi = range[range.length - 1] + room;
  const t0 = series.length ? Math.min(since, series[0].t) : since;
  const t1 = Math.max(until, t0 + 1);
  const x = (t: number) => left + ((t - t0) / (t1 - t0)) * (right - left);
  const y = (v: number) => bottom - ((Math.min(Math.max(v, lo), hi) - lo) / (hi - lo)) * (bottom - top);
  if (band) {
    el.append(
      s('rect', {
        x: left,
        y: y(band.reviewAt),
        width: right - left,
        height: bottom - y(band.reviewAt),
        class: 'z-pass',
      }),
      s('rect', {
        x: left,
        y: y(band.failAt),
        width: right - left,
        height: y(band.reviewAt) - y(band.failAt),
        class: 'z-review',
      }),
      s('rect', { x: left, y: top, width: right - left, height: y(band.failAt) - top, class: 'z-fail' }),
      s('line', { x1: left, x2: right, y1: y(band.reviewAt), y2: y(band.reviewAt), class: 'band-line b-review' }),
      s('line', { x1: left, x2: right, y1: y(band.failAt), y2: y(band.failAt), class: 'band-line b-fail' }),
      text(left - 4, y(band.reviewAt) + 4, fmtScore(band.reviewAt), 'axis', 'end'),
      text(left - 4, y(band.failAt) + 4, fmtScore(band.failAt), 'axis', 'end'),
    );
  }
  el.append(text(left - 4, bottom, fmtScore(lo), 'axis', 'end'));
  el.append(
    s('line', { x1: left, x2: right, y1: bottom, y2: bottom, class: 'axis-line' }),
    s('line', { x1: left, x2: left, y1: top, y2: bottom, class: 'axis-line' }),
  );
  // Moving mean: the drift flag's view of the same data.
  if (series.length >= 2) {
    let sum = 0;
    const pts: string[] = [];
    series.forEach((p, i) => {
      sum += p.score;
      if (i >= window) sum -= series[i - window].score;
      const n = Math.min(i + 1, window);
      pts.push(`${x(p.t).toFixed(1)},${y(sum / n).toFixed(1)}`);
    });
    el.append(s('polyline', { points: pts.join(' '), class: 'mean-line' }));
  }
  for (const p of series) {
    el.append(
      s('circle', {
        cx: x(p.t).toFixed(1),
        cy: y(p.score).toFixed(1),
        r: p.verdict === 'pass' ? 2.5 : 3.5,
        class: `pt pt-${p.verdict}`,
      }),
    );
  }
  const day = (t: number) => new Date(t).toLocaleDateString([], { day: 'numeric', month: 'short' });
  el.append(text(left, H - 8, day(t0), 'axis', 'start'), text(right, H - 8, day(t1), 'axis', 'end'));
  return el;
}

/** Side-by-side pass/review/fail shares per maker, one stacked bar each. */
export function rateBars(
  rows: {
    label: string;
    count: number;
    rates: Record<JudgedVerdict, number> | null;
    flagged: boolean;
  }[],
): SVGElement {
  const rowH = 34;
  const H = rows.length * rowH + 8;
  const el = svg(RATES_W, H, `verdict shares of ${rows.length} makers`, 'rates-chart');
  const left = 170,
    right = RATES_W - 70;
  rows.forEach((r, i) => {
    const y = 8 + i * rowH;
    el.append(text(left - 8, y + 16, (r.flagged ? '⚑ ' : '') + r.label, r.flagged ? 'label flagged' : 'label', 'end'));
    let x = left;
    for (const v of ['pass', 'review', 'fail'] as const) {
      const share = r.rates ? r.rates[v] : 0;
      const w = share * (right - left);
      if (w > 0) {
        el.append(s('rect', { x, y, width: w, height: rowH - 10, class: `z-${v}-strong` }));
        if (w > 34) el.append(text(x + w / 2, y + 14, fmtPct(share), 'bar-text'));
      }
      x += w;
    }
    el.append(text(right + 6, y + 15, `n=${r.count}`, 'axis', 'start'));
  });
  return el;
}

/**
 * Benches side by side on one score axis: for each, a box from the 25th to the 75th percentile, whiskers to the 10th
 * and 90th, the median as a thick line; the band's edges across all of them. A flagged row is drawn in the fail colour.
 */
export function boxRows(
  rows: {
    label: string;
    n: number;
    q: { p10: number; p25: number; median: number; p75: number; p90: number } | null;
    flagged: boolean;
  }[],
  band: Band | null,
  range: readonly number[],
): SVGElement {
  const rowH = 30;
  const top = 8;
  const H = top + rows.length * rowH + 24;
  const el = svg(RATES_W, H, `score quantiles of ${rows.length} benches`, 'rates-chart');
  const left = 170,
    right = RATES_W - 70;
  const lo = range[0],
    hi = range[range.length - 1];
  const x = (v: number) => left + ((Math.min(Math.max(v, lo), hi) - lo) / Math.max(hi - lo, 1e-9)) * (right - left);
  const bottom = top + rows.length * rowH;
  if (band) {
    for (const [name, v] of [
      ['review', band.reviewAt],
      ['fail', band.failAt],
    ] as const) {
      if (v < lo || v > hi) continue;
      el.append(s('line', { x1: x(v), x2: x(v), y1: top, y2: bottom, class: `band-line b-${name}` }));
    }
  }
  rows.forEach((r, i) => {
    const y = top + i * rowH;
    const mid = y + (rowH - 8) / 2;
    el.append(text(left - 8, mid + 5, (r.flagged ? '⚑ ' : '') + r.label, r.flagged ? 'label flagged' : 'label', 'end'));
    el.append(text(right + 6, mid + 5, `n=${r.n}`, 'axis', 'start'));
    if (!r.q) return;
    const cls = r.flagged ? 'box flagged' : 'box';
    el.append(
      s('line', { x1: x(r.q.p10), x2: x(r.q.p90), y1: mid, y2: mid, class: `${cls} whisker` }),
      s('rect', {
        x: x(r.q.p25),
        y: y + 2,
        width: Math.max(1, x(r.q.p75) - x(r.q.p25)),
        height: rowH - 12,
        class: cls,
      }),
      s('line', { x1: x(r.q.median), x2: x(r.q.median), y1: y, y2: y + rowH - 8, class: `${cls} median` }),
    );
  });
  el.append(
    s('line', { x1: left, x2: right, y1: bottom, y2: bottom, class: 'axis-line' }),
    text(left, bottom + 16, fmtScore(lo), 'axis', 'start'),
    text(right, bottom + 16, fmtScore(hi), 'axis', 'end'),
  );
  return el;
}
