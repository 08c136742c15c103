/**
 * Let a lead trade false alarms against catches when known-defective (reject) items exist:
 * a grid of candidate rates, each with where held-out good items and rejects would land.
 */
import { estimateBands, type ToleranceBand, type ToleranceRates } from './bands.ts';
import { goodRates, rejectRates, type RateSummary } from './judge.ts';

export interface BandOption {
  rates: ToleranceRates;
  reviewAt: number;
  failAt: number;
  /** Held-out good scores under this band (false alarms = flagged). */
  good: RateSummary;
  /** Reject scores under this band (catch rate = flagged). */
  rejects: RateSummary;
}

export interface ChooseOptions {
  failRates?: number[];
  reviewRates?: number[];
  /** Wanted share of rejects in review or fail. */
  minCatch?: number;
  /** Most good items a lead accepts in fail (observed, held-out). */
  maxGoodFail?: number;
  bootstrap?: number;
  seed?: number;
}

export interface BandChoice {
  options: BandOption[];
  /** Index into options of the recommended band. */
  chosen: number;
  reason: string;
  /** The recommended band with its bootstrap intervals. */
  band: ToleranceBand;
}

export function chooseBandsFromRejects(
  goodScores: ArrayLike<number>,
  rejectScores: ArrayLike<number>,
  opts: ChooseOptions = {},
): BandChoice {
  if (rejectScores.length === 0) throw new Error('choosing bands from rejects needs at least one reject score');
  const failRates = opts.failRates ?? [0.005, 0.01, 0.02, 0.05];
  const reviewRates = opts.reviewRates ?? [0.05, 0.1, 0.2];
  const minCatch = opts.minCatch ?? 0.95;
  const maxGoodFail = opts.maxGoodFail ?? 0.05;
  const options: BandOption[] = [];
  for (const failRate of failRates) {
    for (const reviewRate of reviewRates) {
      if (failRate + reviewRate >= 1) continue;
      const b = estimateBands(goodScores, { failRate, reviewRate, bootstrap: 0 });
      options.push({
        rates: { failRate, reviewRate },
        reviewAt: b.reviewAt,
        failAt: b.failAt,
        good: goodRates(goodScores, b),
        rejects: rejectRates(rejectScores, b),
      });
    }
  }
  // Prefer: catches enough rejects, then fewest good items flagged, then fewest good items failed.
  const byQuiet = (a: BandOption, b: BandOption) =>
    a.good.flagged - b.good.flagged ||
    a.good.shares.fail - b.good.shares.fail ||
    b.rejects.shares.fail - a.rejects.shares.fail;
  const enough = options
    .map((o, i) => ({ o, i }))
    .filter(({ o }) => o.rejects.flagged >= minCatch && o.good.shares.fail <= maxGoodFail);
  let chosen: number;
  let reason: string;
  if (enough.length > 0) {
    enough.sort((a, b) => byQuiet(a.o, b.o));
    chosen = enough[0].i;
    reason = `catches ≥ ${minCatch * 100}% of rejects with the fewest good items flagged`;
  } else {
    const allowed = options.map((o, i) => ({ o, i })).filter(({ o }) => o.good.shares.fail <= maxGoodFail);
    const pool = allowed.length > 0 ? allowed : options.map((o, i) => ({ o, i }));
    pool.sort((a, b) => b.o.rejects.flagged - a.o.rejects.flagged || byQuiet(a.o, b.o));
    chosen = pool[0].i;
    reason =
      `no candidate catches ${minCatch * 100}% of rejects; this one catches the most` +
      (allowed.length > 0 ? ` with ≤ ${maxGoodFail * 100}% of good items failed` : '');
  }
  const band = estimateBands(goodScores, {
    ...options[chosen].rates,
    bootstrap: opts.bootstrap ?? 1000,
    seed: opts.seed,
  });
  return { options, chosen, reason, band };
}
