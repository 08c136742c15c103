// Drift flag for one maker and product — a pure function over score lists.
//
// The rule, stated once (the dashboard prints DRIFT_RULE):
//   Take the maker's last N judged scores (N = 20 by default). The flag is raised when their
//   mean lies at least K good-score spreads (K = 1 by default) ABOVE either
//     (a) the mean of the same maker's earlier scores, or
//     (b) the mean of the other makers' scores for the same product in the same period,
//   each comparison made only when that reference has at least N scores.
//   Higher scores mean "less like the good items", so only upward moves are flagged.
//   The spread is the standard deviation of good items' scores (from calibration when known,
//   otherwise estimated from the product's band width); the mean of 20 good scores varies by
//   about 0.22 spread, so a 1-spread move is far outside chance.

import type { DriftResult } from '../server/contract.d.ts';
import type { Band } from '../shared/domain.d.ts';

export const DRIFT_RULE =
  "Flagged when the mean of a maker's last N scores is at least K good-score spreads above " +
  "their own earlier mean, or above the other makers' mean for the same product and period " +
  '(each only with ≥ N scores to compare). Defaults: N = 20, K = 1.';

export interface DriftOptions {
  recentN?: number;
  thresholdSpreads?: number;
}

export type { DriftResult };

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * @param makerScores this maker's judged scores for one product, oldest first
 * @param otherScores the other makers' judged scores for the same product and period
 * @param spread standard deviation of good items' scores (must be > 0 to compare)
 */
export function driftFlag(
  makerScores: readonly number[],
  otherScores: readonly number[],
  spread: number | null,
  opts: DriftOptions = {},
): DriftResult {
  const n = opts.recentN ?? 20;
  const k = opts.thresholdSpreads ?? 1;
  const result: DriftResult = {
    flagged: false,
    reasons: [],
    recentN: n,
    recentMean: null,
    ownHistoryMean: null,
    workshopMean: null,
    spread: spread !== null && spread > 0 && Number.isFinite(spread) ? spread : null,
    shiftVsOwn: null,
    shiftVsWorkshop: null,
  };
  if (makerScores.length < n) return result;
  const recent = makerScores.slice(-n);
  const history = makerScores.slice(0, -n);
  result.recentMean = mean(recent);
  if (history.length >= n) result.ownHistoryMean = mean(history);
  if (otherScores.length >= n) result.workshopMean = mean(otherScores);
  const s = result.spread;
  if (s === null) return result;
  if (result.ownHistoryMean !== null) {
    result.shiftVsOwn = (result.recentMean - result.ownHistoryMean) / s;
    if (result.shiftVsOwn >= k) {
      result.reasons.push(
        `last ${n} scores are ${result.shiftVsOwn.toFixed(1)} spreads above this maker's earlier scores`,
      );
    }
  }
  if (result.workshopMean !== null) {
    result.shiftVsWorkshop = (result.recentMean - result.workshopMean) / s;
    if (result.shiftVsWorkshop >= k) {
      result.reasons.push(`last ${n} scores are ${result.shiftVsWorkshop.toFixed(1)} spreads above the other makers`);
    }
  }
  result.flagged = result.reasons.length > 0;
  return result;
}

/**
 * Good-score spread when calibration did not record one: with the default target rates the
 * review threshold sits near the 90th and the fail threshold near the 99th percentile of good
 * scores, which for a normal distribution are 1.05 standard deviations apart.
 */
export function spreadFromBand({ reviewAt, failAt }: Band): number | null {
  const width = failAt - reviewAt;
  return width > 0 && Number.isFinite(width) ? width / 1.05 : null;
}
