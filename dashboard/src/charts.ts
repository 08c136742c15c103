// Small SVG charts drawn by hand: score-vs-bands bar, histogram, control chart, rate bars.
// Colours come from CSS classes (z-pass/z-review/z-fail, pt-*), so the palette lives in one place.
import { fmtPct, fmtScore, s } from './dom.ts';
import type { Bands, Verdict } from './types.ts';

const W = 600;

function svg(height: number, label: string): SVGElement {
  return s('svg', { viewBox: `0 0 ${W} ${height}`, class: 'chart', role: 'img', 'aria-label': label });
}

const text = (x: number, y: number, str: string, cls = 'axis', anchor = 'middle') =>
  s('text', { x, y, class: cls, 'text-anchor': anchor }, str);

/** Upper end of a score axis that shows the bands and the data with some room. */
export function axisMax(bands: Bands | null, values: number[]): number {
  let hi = bands ? bands.fail * 1.4 : 0;
  for (const v of values) if (v > hi) hi = v;
  return hi > 0 ? hi * 1.05 : 1;
}

/** Where a score sits against the product's bands: three zones and a marker. */
export function scoreBar(score: number | null, bands: Bands | null): SVGElement {
  const H = 64;
  const el = svg(H, score === null ? 'no score' : `score ${fmtScore(score)}`);
  if (!bands) {
    el.append(text(W / 2, 36, 'no tolerance band for this item'));
    return el;
  }
  const max = axisMax(bands, score === null ? [] : [score]);
  const x = (v: number) => 10 + (Math.min(v, max) / max) * (W - 20);
  el.append(
    s('rect', { x: x(0), y: 14, width: x(bands.review) - x(0), height: 18, class: 'z-pass' }),
    s('rect', { x: x(bands.review), y: 14, width: x(bands.fail) - x(bands.review), height: 18, class: 'z-review' }),
    s('rect', { x: x(bands.fail), y: 14, width: x(max) - x(bands.fail), height: 18, class: 'z-fail' }),
    text(x(bands.review), 50, `review ${fmtScore(bands.review)}`),
    text(x(bands.fail), 50, `fail ${fmtScore(bands.fail)}`),
  );
  if (score !== null) {
    const sx = x(score);
    el.append(
      s('path', { d: `M${sx - 7},4 L${sx + 7},4 L${sx},14 Z`, class: 'marker' }),
      s('line', { x1: sx, x2: sx, y1: 12, y2: 34, class: 'marker-line' }),
    );
  }
  return el;
}

/** Score distribution with the band edges drawn in. */
export function histogram(edges: number[], counts: number[], bands: Bands | null): SVGElement {
  const H = 180;
  const el = svg(H, `histogram of ${counts.reduce((a, b) => a + b, 0)} scores`);
  const left = 34, right = W - 10, top = 10, bottom = H - 26;
  const lo = edges[0], hi = edges[edges.length - 1];
  const x = (v: number) => left + ((v - lo) / (hi - lo)) * (right - left);
  const maxCount = Math.max(1, ...counts);
  const y = (c: number) => bottom - (c / maxCount) * (bottom - top);
  el.append(s('line', { x1: left, x2: right, y1: bottom, y2: bottom, class: 'axis-line' }));
  counts.forEach((c, i) => {
    if (c === 0) return;
    const mid = (edges[i] + edges[i + 1]) / 2;
    const zone = !bands || mid < bands.review ? 'pass' : mid < bands.fail ? 'review' : 'fail';
    el.append(s('rect', { x: x(edges[i]) + 1, y: y(c), width: Math.max(1, x(edges[i + 1]) - x(edges[i]) - 2), height: bottom - y(c), class: `bar z-${zone}-strong` }));
  });
  if (bands) {
    for (const [name, v] of [['review', bands.review], ['fail', bands.fail]] as const) {
      if (v < lo || v > hi) continue;
      el.append(s('line', { x1: x(v), x2: x(v), y1: top, y2: bottom, class: `band-line b-${name}` }), text(x(v), top + 10, name, `axis b-${name}-text`));
    }
  }
  el.append(text(left, H - 8, fmtScore(lo)), text(right, H - 8, fmtScore(hi), 'axis', 'end'), text(left - 4, top + 10, String(maxCount), 'axis', 'end'));
  return el;
}

/** Scores over time with the bands as shaded zones, and a moving mean of the last `window` items. */
export function controlChart(series: { t: number; score: number; verdict: Verdict }[], bands: Bands | null, since: number, until: number, window = 20): SVGElement {
  const H = 220;
  const el = svg(H, `control chart of ${series.length} scores`);
  const left = 40, right = W - 10, top = 10, bottom = H - 26;
  const max = axisMax(bands, series.map((p) => p.score));
  const t0 = series.length ? Math.min(since, series[0].t) : since;
  const t1 = Math.max(until, t0 + 1);
  const x = (t: number) => left + ((t - t0) / (t1 - t0)) * (right - left);
  const y = (v: number) => bottom - (Math.min(v, max) / max) * (bottom - top);
  if (bands) {
    el.append(
      s('rect', { x: left, y: y(bands.review), width: right - left, height: bottom - y(bands.review), class: 'z-pass' }),
      s('rect', { x: left, y: y(bands.fail), width: right - left, height: y(bands.review) - y(bands.fail), class: 'z-review' }),
      s('rect', { x: left, y: top, width: right - left, height: y(bands.fail) - top, class: 'z-fail' }),
      s('line', { x1: left, x2: right, y1: y(bands.review), y2: y(bands.review), class: 'band-line b-review' }),
      s('line', { x1: left, x2: right, y1: y(bands.fail), y2: y(bands.fail), class: 'band-line b-fail' }),
      text(left - 4, y(bands.review) + 4, fmtScore(bands.review), 'axis', 'end'),
      text(left - 4, y(bands.fail) + 4, fmtScore(bands.fail), 'axis', 'end'),
    );
  }
  el.append(s('line', { x1: left, x2: right, y1: bottom, y2: bottom, class: 'axis-line' }), s('line', { x1: left, x2: left, y1: top, y2: bottom, class: 'axis-line' }));
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
    el.append(s('circle', { cx: x(p.t).toFixed(1), cy: y(p.score).toFixed(1), r: p.verdict === 'pass' ? 2.5 : 3.5, class: `pt pt-${p.verdict}` }));
  }
  const day = (t: number) => new Date(t).toLocaleDateString([], { day: 'numeric', month: 'short' });
  el.append(text(left, H - 8, day(t0), 'axis', 'start'), text(right, H - 8, day(t1), 'axis', 'end'));
  return el;
}

/** Side-by-side pass/review/fail shares per maker, one stacked bar each. */
export function rateBars(rows: { label: string; count: number; rates: { pass: number; review: number; fail: number } | null; flagged: boolean }[]): SVGElement {
  const rowH = 30;
  const H = rows.length * rowH + 24;
  const el = svg(H, `verdict shares of ${rows.length} makers`);
  const left = 150, right = W - 60;
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
