// Per maker and product figures for the Makers page — pure over inspection rows.
import type { MakerProductStats, TargetComparison } from '../server/contract.d.ts';
import { PRODUCT_DEFAULTS } from '../products/productConfig.ts';
import type { Band, Verdict } from '../shared/domain.d.ts';
import { driftFlag, spreadFromBand, type DriftOptions } from './drift.ts';

export type { MakerProductStats };

export interface ScoredRow {
  inspectedAt: number;
  productId: string;
  makerId: string | null;
  score: number | null;
  verdict: Verdict;
}

/** A product's active tolerance band, as the makers' figures are read against it. */
export interface ProductBand extends Band {
  /** Standard deviation of good scores when calibration recorded it. */
  goodSpread?: number | null;
}

/** The share of good items a product means to send to review and to fail (product.json tolerance): rates, not a band. */
export interface ProductTargets {
  review: number;
  fail: number;
}

/** product.json's default tolerance: what a product that sets none aims for. */
export const DEFAULT_TARGETS: ProductTargets = {
  review: PRODUCT_DEFAULTS.tolerance.reviewRate,
  fail: PRODUCT_DEFAULTS.tolerance.failRate,
};

/** Lower end of the 95 % Wilson interval of k successes in n. */
export function wilsonLower(k: number, n: number, z = 1.96): number {
  if (n === 0) return 0;
  const p = k / n;
  const centre = p + (z * z) / (2 * n);
  const margin = z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
  return Math.max(0, (centre - margin) / (1 + (z * z) / n));
}

/** A maker's review and fail rates against the product's targets (pure). */
export function versusTarget(verdicts: Record<Verdict, number>, targets: ProductTargets): TargetComparison {
  const n = verdicts.pass + verdicts.review + verdicts.fail;
  const one = (k: number, target: number) => ({ rate: n ? k / n : 0, target, above: wilsonLower(k, n) > target });
  return { n, review: one(verdicts.review, targets.review), fail: one(verdicts.fail, targets.fail) };
}

export interface StatsOptions extends DriftOptions {
  bins?: number;
  /** Each product's target rates; a product not in it is held to the calibration defaults. */
  targets?: ReadonlyMap<string, ProductTargets>;
  /** Points kept per control chart; longer series are thinned evenly (first and last kept). */
  maxSeriesPoints?: number;
}

/**
 * Histogram edges per product, shared by its makers so side-by-side charts line up. The range
 * is zoomed on the band (3 band-widths below reviewAt to 1.5 above failAt) and widened to hold
 * every score; scores are distances, so it never starts below 0.
 */
export function histogramEdges(scores: readonly number[], band: ProductBand | undefined, bins: number): number[] {
  // Loops, not Math.max(...xs): a long period can hold more scores than the argument limit.
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of scores) {
    if (s > hi) hi = s;
    if (s < lo) lo = s;
  }
  if (band) {
    const w = Math.max(band.failAt - band.reviewAt, 1e-9);
    lo = Math.min(lo, band.reviewAt - 3 * w);
    hi = Math.max(hi, band.failAt + 1.5 * w);
  }
  if (!Number.isFinite(lo)) [lo, hi] = [0, 1];
  lo = Math.max(0, lo);
  if (!(hi > lo)) hi = lo + 1;
  // A hair of room above the top score, so it falls inside the last bin rather than on its edge.
  hi += (hi - lo) * 1e-9;
  const w = (hi - lo) / bins;
  return Array.from({ length: bins + 1 }, (_, i) => lo + i * w);
}

function histogram(scores: readonly number[], edges: number[]): number[] {
  const bins = edges.length - 1;
  const counts = new Array<number>(bins).fill(0);
  const lo = edges[0];
  const w = (edges[bins] - lo) / bins;
  for (const s of scores) counts[Math.min(bins - 1, Math.max(0, Math.floor((s - lo) / w)))]++;
  return counts;
}

function thin<T>(xs: T[], max: number): T[] {
  if (xs.length <= max) return xs;
  const step = (xs.length - 1) / (max - 1);
  return Array.from({ length: max }, (_, i) => xs[Math.round(i * step)]);
}

export function makerStats(
  rows: readonly ScoredRow[],
  bandsByProduct: ReadonlyMap<string, ProductBand>,
  opts: StatsOptions = {},
): MakerProductStats[] {
  const bins = opts.bins ?? 20;
  const maxPoints = opts.maxSeriesPoints ?? 1500;
  const targetsByProduct = opts.targets ?? new Map<string, ProductTargets>();
  const sorted = [...rows].sort((a, b) => a.inspectedAt - b.inspectedAt);
  const byProduct = new Map<string, ScoredRow[]>();
  for (const r of sorted) {
    const list = byProduct.get(r.productId) ?? [];
    list.push(r);
    byProduct.set(r.productId, list);
  }

  const out: MakerProductStats[] = [];
  for (const [productId, productRows] of byProduct) {
    const band = bandsByProduct.get(productId);
    const judged = (xs: readonly ScoredRow[]) =>
      xs.filter((r) => r.verdict !== 'unjudged' && r.score !== null && Number.isFinite(r.score));
    const edges = histogramEdges(
      judged(productRows).map((r) => r.score as number),
      band,
      bins,
    );
    const spread = band ? (band.goodSpread ?? spreadFromBand(band)) : null;

    const byMaker = new Map<string | null, ScoredRow[]>();
    for (const r of productRows) {
      const list = byMaker.get(r.makerId) ?? [];
      list.push(r);
      byMaker.set(r.makerId, list);
    }
    for (const [makerId, makerRows] of byMaker) {
      const verdicts: Record<Verdict, number> = { pass: 0, review: 0, fail: 0, unjudged: 0 };
      for (const r of makerRows) verdicts[r.verdict]++;
      const nJudged = verdicts.pass + verdicts.review + verdicts.fail;
      const mine = judged(makerRows);
      const scores = mine.map((r) => r.score as number);
      const others = judged(productRows.filter((r) => r.makerId !== makerId)).map((r) => r.score as number);
      out.push({
        makerId,
        productId,
        count: makerRows.length,
        verdicts,
        rates: nJudged
          ? { pass: verdicts.pass / nJudged, review: verdicts.review / nJudged, fail: verdicts.fail / nJudged }
          : null,
        histogram: { edges, counts: histogram(scores, edges) },
        series: thin(
          mine.map((r) => ({ t: r.inspectedAt, score: r.score as number, verdict: r.verdict })),
          maxPoints,
        ),
        meanScore: scores.length ? scores.reduce((a, b) => a + b, 0) / scores.length : null,
        drift: driftFlag(scores, others, spread, opts),
        target: versusTarget(verdicts, targetsByProduct.get(productId) ?? DEFAULT_TARGETS),
      });
    }
  }
  return out.sort(
    (a, b) => a.productId.localeCompare(b.productId) || String(a.makerId).localeCompare(String(b.makerId)),
  );
}
