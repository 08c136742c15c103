/** Tolerance bands: pass / review / fail thresholds estimated from held-out scores of good items. */
import type { Band } from '../shared/domain.d.ts';
import { seededRandom } from '../shared/random.ts';
import { sortedCopy } from '../shared/numbers.ts';
import { MIN_TAIL_ITEMS, quantileSorted, upperQuantile, type QuantileMethod } from './quantile.ts';

export interface ToleranceRates {
  /** Target share of good items judged 'fail' (score above failAt). */
  failRate: number;
  /** Target share of good items judged 'review' (between reviewAt and failAt). */
  reviewRate: number;
}

/** The band as calibration estimates it: its two edges and what they rest on. */
export interface ToleranceBand extends Band {
  /** 95% bootstrap percentile intervals of each threshold. */
  intervals: { reviewAt: [number, number]; failAt: [number, number] };
  /** Number of good scores the band rests on. */
  n: number;
  rates: ToleranceRates;
  method: {
    estimator: string;
    reviewAt: QuantileMethod;
    failAt: QuantileMethod | typeof UNCERTAIN_FAIL_METHOD;
    bootstrap: number;
    seed: number;
  };
  /** Which score the band applies to: the engine's raw score, the mean of the top share, the per-region normalised one, or two configurations combined. */
  scoreKind: 'raw' | 'top-share' | 'region-normalised' | 'combined';
  /** Coverage warnings: where the calibration set is too small or too uniform for the claimed rates. */
  warnings: string[];
}

export interface BandOptions extends Partial<ToleranceRates> {
  bootstrap?: number;
  seed?: number;
  scoreKind?: ToleranceBand['scoreKind'];
}

/**
 * How failAt is placed when its estimate is uncertain (its 95% interval wider than its distance from the median good
 * score, as with a handful of good images): at the interval's upper end. Failing a good handmade item scraps it, while
 * reviewing one costs a look; so an uncertain fail limit errs upward. The review limit stays, so what is caught
 * (review or fail) does not change.
 */
export const UNCERTAIN_FAIL_METHOD = 'interval-upper';

export const DEFAULT_RATES: ToleranceRates = { failRate: 0.01, reviewRate: 0.1 };
export const ESTIMATOR_NAME = `type-7 quantile when n·p ≥ ${MIN_TAIL_ITEMS}, else exponential tail fit (top 20% of scores, min ${MIN_TAIL_ITEMS}) floored at the type-7 value`;

export function validateRates(rates: ToleranceRates, where = 'tolerance'): void {
  const { failRate, reviewRate } = rates;
  if (!Number.isFinite(failRate) || failRate <= 0 || failRate >= 0.5)
    throw new Error(`${where}.failRate must be a number in (0, 0.5), got ${failRate}`);
  if (!Number.isFinite(reviewRate) || reviewRate < 0 || failRate + reviewRate >= 1)
    throw new Error(`${where}.reviewRate must be ≥ 0 with failRate + reviewRate < 1, got ${reviewRate}`);
}

/** The band's two edges on sorted scores, each with the quantile method that estimated it. */
function bandEdges(sorted: Float64Array, rates: ToleranceRates) {
  const failAt = upperQuantile(sorted, rates.failRate);
  // reviewAt is exceeded by review + fail items together.
  const reviewAt = upperQuantile(sorted, rates.failRate + rates.reviewRate);
  return { failAt, reviewAt: { value: Math.min(reviewAt.value, failAt.value), method: reviewAt.method } };
}

function percentileInterval(values: Float64Array): [number, number] {
  values.sort();
  return [quantileSorted(values, 0.025), quantileSorted(values, 0.975)];
}

/** Estimate the band from held-out good scores; intervals by percentile bootstrap. */
export function estimateBands(goodScores: ArrayLike<number>, opts: BandOptions = {}): ToleranceBand {
  const rates: ToleranceRates = {
    failRate: opts.failRate ?? DEFAULT_RATES.failRate,
    reviewRate: opts.reviewRate ?? DEFAULT_RATES.reviewRate,
  };
  validateRates(rates);
  const n = goodScores.length;
  for (let i = 0; i < n; i++)
    if (!Number.isFinite(goodScores[i])) throw new Error(`good score #${i} is not a finite number (${goodScores[i]})`);
  if (n < 3) throw new Error(`tolerance bands need at least 3 good scores, got ${n}: add good images`);
  const bootstrap = opts.bootstrap ?? 1000;
  const seed = opts.seed ?? 1;
  const sorted = sortedCopy(goodScores);
  const point = bandEdges(sorted, rates);

  const rand = seededRandom(seed);
  const fails = new Float64Array(bootstrap);
  const reviews = new Float64Array(bootstrap);
  const sample = new Float64Array(n);
  for (let b = 0; b < bootstrap; b++) {
    for (let i = 0; i < n; i++) sample[i] = sorted[Math.floor(rand() * n)];
    sample.sort();
    const t = bandEdges(sample, rates);
    fails[b] = t.failAt.value;
    reviews[b] = t.reviewAt.value;
  }
  const intervals =
    bootstrap > 0
      ? { reviewAt: percentileInterval(reviews), failAt: percentileInterval(fails) }
      : {
          reviewAt: [point.reviewAt.value, point.reviewAt.value] as [number, number],
          failAt: [point.failAt.value, point.failAt.value] as [number, number],
        };

  const uncertain = failAtUncertain(sorted, point.failAt.value, intervals.failAt);
  return {
    reviewAt: point.reviewAt.value,
    failAt: uncertain ? Math.max(point.failAt.value, intervals.failAt[1]) : point.failAt.value,
    intervals,
    n,
    rates,
    method: {
      estimator: ESTIMATOR_NAME,
      reviewAt: point.reviewAt.method,
      failAt: uncertain ? UNCERTAIN_FAIL_METHOD : point.failAt.method,
      bootstrap,
      seed,
    },
    scoreKind: opts.scoreKind ?? 'raw',
    warnings: coverageWarnings(sorted, rates, point.failAt.value, intervals.failAt),
  };
}

/** The fail limit's 95% interval is wider than the distance from the median good score to the limit. */
function failAtUncertain(sorted: Float64Array, failAt: number, interval: [number, number]): boolean {
  const typical = failAt - quantileSorted(sorted, 0.5);
  return typical > 0 && interval[1] - interval[0] > typical;
}

const pct = (p: number) => `${+(p * 100).toFixed(2)}%`;
const fmt = (x: number) => +x.toPrecision(3);

/** Say plainly when the set is too small or too uniform for the claimed rates. */
export function coverageWarnings(
  sorted: Float64Array,
  rates: ToleranceRates,
  failAt: number,
  failAtInterval: [number, number],
): string[] {
  const n = sorted.length;
  const out: string[] = [];
  const expFail = n * rates.failRate;
  if (expFail < MIN_TAIL_ITEMS) {
    out.push(
      `${n} good images: the ${pct(rates.failRate)} fail threshold rests on ${fmt(expFail)} expected items; ` +
        `it is extrapolated from a fitted exponential tail. ` +
        `About ${Math.ceil(MIN_TAIL_ITEMS / rates.failRate)} good images would let it rest on observed scores.`,
    );
  }
  const flagged = rates.failRate + rates.reviewRate;
  const expReview = n * flagged;
  if (rates.reviewRate > 0 && expReview < MIN_TAIL_ITEMS) {
    out.push(
      `${n} good images: the review threshold (${pct(flagged)} of good items above it) rests on ${fmt(expReview)} expected items.`,
    );
  }
  const median = quantileSorted(sorted, 0.5);
  const spread = quantileSorted(sorted, 0.9) - quantileSorted(sorted, 0.1);
  let distinct = 1;
  for (let i = 1; i < n; i++) if (sorted[i] !== sorted[i - 1]) distinct++;
  if (distinct < Math.min(n, 5) || spread <= 1e-3 * Math.max(Math.abs(median), 1e-12)) {
    out.push(
      `good scores barely vary (${distinct} distinct values, 10-90% spread ${fmt(spread)}): the calibration set looks too uniform ` +
        `(near-duplicate photos?) to show the natural variation; add images of different good items.`,
    );
  }
  if (failAtUncertain(sorted, failAt, failAtInterval)) {
    out.push(
      `the fail threshold is uncertain: its 95% interval [${fmt(failAtInterval[0])}, ${fmt(failAtInterval[1])}] is wider than ` +
        `the distance from the median good score to the threshold (${fmt(failAt)}); the fail limit sits at the interval's ` +
        `upper end, so items in between go to review. More good images would narrow it.`,
    );
  }
  return out;
}
