/** Fixed-width histogram, with optional shared range so good and reject scores line up. */
export interface Histogram {
  edges: number[];
  counts: number[];
}

export function histogram(
  values: ArrayLike<number>,
  opts: { bins?: number; min?: number; max?: number } = {},
): Histogram {
  const bins = Math.max(1, Math.floor(opts.bins ?? 20));
  let lo = opts.min ?? Infinity;
  let hi = opts.max ?? -Infinity;
  if (opts.min === undefined || opts.max === undefined) {
    for (let i = 0; i < values.length; i++) {
      if (opts.min === undefined) lo = Math.min(lo, values[i]);
      if (opts.max === undefined) hi = Math.max(hi, values[i]);
    }
  }
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) {
    lo = 0;
    hi = 1;
  }
  if (hi <= lo) hi = lo + (Math.abs(lo) || 1) * 1e-6;
  const width = (hi - lo) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => lo + i * width);
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!(v >= lo && v <= hi)) continue; // outside a caller-given range: not counted
    counts[Math.min(bins - 1, Math.floor((v - lo) / width))]++;
  }
  return { edges, counts };
}

/** A text bar chart for the readable report. */
export function histogramText(h: Histogram, opts: { width?: number; marks?: Record<string, number> } = {}): string {
  const width = opts.width ?? 40;
  const max = Math.max(1, ...h.counts);
  const lines: string[] = [];
  for (let i = 0; i < h.counts.length; i++) {
    const a = h.edges[i],
      b = h.edges[i + 1];
    const tags = Object.entries(opts.marks ?? {})
      .filter(([, v]) => v >= a && (v < b || (i === h.counts.length - 1 && v <= b)))
      .map(([k]) => `◄ ${k}`);
    const bar = '#'.repeat(Math.round((h.counts[i] / max) * width));
    lines.push(
      `${a.toPrecision(4).padStart(10)} | ${bar.padEnd(width)} ${String(h.counts[i]).padStart(4)} ${tags.join(' ')}`,
    );
  }
  return lines.join('\n');
}
