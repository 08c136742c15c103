/** From a score and a band to a verdict, and the counting that reports are made of. */
import type { Band, JudgedVerdict, Verdict } from '../shared/domain.d.ts';

/** A missing score or band is never a pass: it is 'unjudged' and a person must look. */
export function judge(score: number | null | undefined, band: Band | null | undefined): Verdict {
  if (band == null || !Number.isFinite(band.reviewAt) || !Number.isFinite(band.failAt)) return 'unjudged';
  if (score == null || !Number.isFinite(score)) return 'unjudged';
  if (score > band.failAt) return 'fail';
  if (score > band.reviewAt) return 'review';
  return 'pass';
}

/** Judged verdicts only: these counts come from scores that must all be judgeable (see countVerdicts). */
export type JudgedCounts = Record<JudgedVerdict, number>;

export function countVerdicts(scores: ArrayLike<number>, band: Band): JudgedCounts {
  const c: JudgedCounts = { pass: 0, review: 0, fail: 0 };
  for (let i = 0; i < scores.length; i++) {
    const v = judge(scores[i], band);
    if (v === 'unjudged') throw new Error(`score #${i} (${scores[i]}) cannot be judged: not a finite number`);
    c[v]++;
  }
  return c;
}

export interface RateSummary extends JudgedCounts {
  n: number;
  /** Shares of n in each verdict. */
  shares: JudgedCounts;
  /** Share in review or fail: for rejects the catch rate, for good items the false-alarm rate. */
  flagged: number;
}

function summarise(scores: ArrayLike<number>, band: Band): RateSummary {
  const c = countVerdicts(scores, band);
  const n = scores.length;
  const share = (k: number) => (n === 0 ? 0 : k / n);
  return {
    ...c,
    n,
    shares: { pass: share(c.pass), review: share(c.review), fail: share(c.fail) },
    flagged: share(c.review + c.fail),
  };
}

/** Where known-defective items land. flagged = caught (review or fail). */
export const rejectRates = summarise;
/** Where good items land. flagged = false alarms (review or fail), shares.fail = good items failed. */
export const goodRates = summarise;
