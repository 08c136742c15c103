/**
 * Upper-tail quantile estimation for tolerance thresholds.
 *
 * Estimator (stated, so a report can name it):
 *  - "empirical": Hyndman–Fan type 7 (linear interpolation between order statistics, R's default),
 *    used when at least MIN_TAIL_ITEMS good scores are expected beyond the threshold (n·p ≥ 5).
 *  - "exponential-tail": otherwise the sample cannot see that far into the tail, so we fit an
 *    exponential tail (peaks over threshold with GPD shape 0): take the top k scores above
 *    u = x_(n-k), estimate the mean excess β, and extrapolate x_p = u + β·ln(k / (n·p)).
 *    The result is never below the type-7 value, so a fitted tail cannot undercut what was seen.
 */

export const MIN_TAIL_ITEMS = 5;

export type QuantileMethod = 'empirical' | 'exponential-tail';

/** Type-7 quantile of an ascending-sorted array, q in [0, 1]. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) throw new Error('quantile of an empty list of scores');
  if (n === 1) return sorted[0];
  const h = (n - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/** Number of top order statistics used to fit the exponential tail. */
export function tailSize(n: number): number {
  return Math.min(n - 1, Math.max(MIN_TAIL_ITEMS, Math.round(0.2 * n)));
}

/** Exponential-tail estimate of the value exceeded with probability p. */
export function exponentialTailQuantile(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  const k = tailSize(n);
  if (k < 1) return sorted[n - 1];
  const u = sorted[n - 1 - k];
  let excess = 0;
  for (let i = n - k; i < n; i++) excess += sorted[i] - u;
  const beta = excess / k;
  // Only extrapolate outward: when n·p ≥ k the threshold lies inside the fitted region.
  const ratio = Math.max(1, k / (n * p));
  return u + beta * Math.log(ratio);
}

/**
 * Threshold exceeded by (at most about) a share p of the population the sorted sample comes from.
 * p = 0 means "never exceeded": the sample maximum.
 */
export function upperQuantile(sorted: ArrayLike<number>, p: number): { value: number; method: QuantileMethod } {
  const n = sorted.length;
  if (n === 0) throw new Error('upper quantile of an empty list of scores');
  const empirical = quantileSorted(sorted, 1 - p);
  if (p <= 0 || n * p >= MIN_TAIL_ITEMS || n < 3) return { value: empirical, method: 'empirical' };
  return { value: Math.max(empirical, exponentialTailQuantile(sorted, p)), method: 'exponential-tail' };
}
