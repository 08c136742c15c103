/**
 * The bench check of a reference set calibrated elsewhere: how its tolerance band judges this bench's good items,
 * against what the band promises. The band was set so that a share `failRate` of good items fails and
 * `failRate + reviewRate` is flagged (review or fail); on n good items the observed shares scatter binomially around
 * those, so the expected range is the central 95% of that scatter. More false alarms than its top means this bench
 * sees the product differently (camera, light, another batch of material); fewer is not a fault.
 */
import type { ToleranceBand } from './bands.ts';
import { countVerdicts } from './judge.ts';

export interface BenchCheckFigures {
  n: number;
  /** Share of the good items judged review or fail. */
  falseAlarmRate: number;
  /** Share judged fail. */
  failRate: number;
  /** Central 95% range of each share on n items when the band holds here. */
  expected: { falseAlarmRate: [number, number]; failRate: [number, number] };
  /** Each share with the edge anywhere inside its bootstrap interval: [at its high end, at its low end]. */
  atEdgeIntervals: { falseAlarmRate: [number, number]; failRate: [number, number] };
  /** No more false alarms and fails than the expected ranges allow. */
  ok: boolean;
}

export type CheckedBand = Pick<ToleranceBand, 'reviewAt' | 'failAt' | 'intervals' | 'rates'>;

/** Smallest k with P(X ≤ k) ≥ q for X ~ Binomial(n, p), summed in log space so large n stays finite. */
export function binomialQuantile(n: number, p: number, q: number): number {
  if (p <= 0) return 0;
  if (p >= 1) return n;
  const logP = Math.log(p);
  const logQ = Math.log1p(-p);
  let logChoose = 0; // log C(n, 0)
  let cdf = 0;
  for (let k = 0; k <= n; k++) {
    if (k > 0) logChoose += Math.log(n - k + 1) - Math.log(k);
    cdf += Math.exp(logChoose + k * logP + (n - k) * logQ);
    if (cdf >= q - 1e-12) return k;
  }
  return n;
}

const share = (k: number, n: number) => (n === 0 ? 0 : k / n);
const above = (scores: readonly number[], edge: number) => share(scores.filter((s) => s > edge).length, scores.length);

/** `scores`: the good items' product scores under the set's score model (as the station judges them). */
export function benchCheckFigures(scores: readonly number[], band: CheckedBand): BenchCheckFigures {
  const n = scores.length;
  if (n === 0) throw new Error('the bench check needs at least one good image');
  const c = countVerdicts(scores, band);
  const flaggedTarget = band.rates.failRate + band.rates.reviewRate;
  const range = (p: number): [number, number] => [
    share(binomialQuantile(n, p, 0.025), n),
    share(binomialQuantile(n, p, 0.975), n),
  ];
  const expected = { falseAlarmRate: range(flaggedTarget), failRate: range(band.rates.failRate) };
  const falseAlarmRate = share(c.review + c.fail, n);
  const failRate = share(c.fail, n);
  return {
    n,
    falseAlarmRate,
    failRate,
    expected,
    atEdgeIntervals: {
      falseAlarmRate: [above(scores, band.intervals.reviewAt[1]), above(scores, band.intervals.reviewAt[0])],
      failRate: [above(scores, band.intervals.failAt[1]), above(scores, band.intervals.failAt[0])],
    },
    ok: falseAlarmRate <= expected.falseAlarmRate[1] && failRate <= expected.failRate[1],
  };
}
