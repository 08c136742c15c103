/**
 * The same product's scores compared across benches, so a bench whose camera or light drifted stands out: pure
 * functions over the scores (no I/O). Medians and interquartile ranges, not means and deviations: a few defective
 * items (high scores) on one bench must not read as that bench's drift.
 */
import type { BenchDistribution, Band } from './server/contract.d.ts';

/** How many of the others' interquartile ranges a bench's median may depart by before it is flagged. */
export const DEPARTURE_LIMIT = 1;
/** Fewer scores than this on either side and no verdict is given: a median of a handful says little. */
export const MIN_SCORES = 20;
const BINS = 20;

export const benchDriftRule = (window: number) =>
  `A bench is flagged when the median of its last ${window} scores of a product departs from the median of the ` +
  `other benches' scores of that product (pooled) by more than ${DEPARTURE_LIMIT} interquartile range of those ` +
  `scores; each side needs at least ${MIN_SCORES} scores. With only two benches a departure flags both: the rule ` +
  'shows that they disagree, not which one moved.';

/** The q-quantile of sorted values, interpolated linearly (as PostgreSQL's percentile_cont). */
export function quantile(sorted: readonly number[], q: number): number {
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}

/** Shared bin edges for every bench of a product, so their histograms line up. */
export function sharedEdges(all: readonly number[], bins = BINS): number[] {
  if (all.length === 0) return [];
  let lo = all.reduce((a, b) => Math.min(a, b));
  let hi = all.reduce((a, b) => Math.max(a, b));
  if (hi - lo < 1e-9) {
    lo -= 0.5;
    hi += 0.5;
  }
  return Array.from({ length: bins + 1 }, (_, i) => lo + ((hi - lo) * i) / bins);
}

export function histogramCounts(values: readonly number[], edges: readonly number[]): number[] {
  const bins = edges.length - 1;
  const counts = new Array<number>(Math.max(0, bins)).fill(0);
  if (bins < 1) return counts;
  const lo = edges[0];
  const width = (edges[bins] - lo) / bins;
  for (const v of values) counts[Math.min(bins - 1, Math.max(0, Math.floor((v - lo) / width)))]++;
  return counts;
}

const sortedCopy = (v: readonly number[]) => [...v].sort((a, b) => a - b);

/** One product's benches, each against the pooled scores of the others. */
export function compareBenches(benches: readonly { station: string; scores: readonly number[]; band: Band | null }[]): {
  edges: number[];
  benches: BenchDistribution[];
} {
  const edges = sharedEdges(benches.flatMap((b) => b.scores));
  const out = benches.map((b): BenchDistribution => {
    const mine = sortedCopy(b.scores);
    const rest = sortedCopy(benches.filter((o) => o !== b).flatMap((o) => o.scores));
    const quantiles = mine.length
      ? {
          p10: quantile(mine, 0.1),
          p25: quantile(mine, 0.25),
          median: quantile(mine, 0.5),
          p75: quantile(mine, 0.75),
          p90: quantile(mine, 0.9),
        }
      : null;
    const others =
      rest.length >= MIN_SCORES
        ? { n: rest.length, median: quantile(rest, 0.5), iqr: quantile(rest, 0.75) - quantile(rest, 0.25) }
        : null;
    // An IQR of zero (identical scores) would make any difference infinite: the smallest spread counted is 1e-9.
    const departure =
      others && quantiles && mine.length >= MIN_SCORES
        ? (quantiles.median - others.median) / Math.max(others.iqr, 1e-9)
        : null;
    return {
      station: b.station,
      n: mine.length,
      quantiles,
      counts: histogramCounts(mine, edges),
      others,
      departure,
      flagged: departure !== null && Math.abs(departure) > DEPARTURE_LIMIT,
      band: b.band,
    };
  });
  return { edges, benches: out };
}
