import { describe, expect, it } from 'vitest';
import { estimateBands, judge, rejectRates, goodRates, countVerdicts } from '../../station/verdict/index.ts';
import { upperQuantile, quantileSorted } from '../../station/verdict/quantile.ts';
import { sampler } from './helpers.ts';

describe('quantile estimator', () => {
  it('type 7 interpolates between order statistics', () => {
    const s = Float64Array.from([1, 2, 3, 4, 5]);
    expect(quantileSorted(s, 0)).toBe(1);
    expect(quantileSorted(s, 1)).toBe(5);
    expect(quantileSorted(s, 0.5)).toBe(3);
    expect(quantileSorted(s, 0.9)).toBeCloseTo(4.6, 12);
  });
  it('switches to a fitted tail only when fewer than 5 items are expected beyond', () => {
    const big = Float64Array.from(sampler(1).uniform(600)).sort();
    expect(upperQuantile(big, 0.01).method).toBe('empirical');
    const small = Float64Array.from(sampler(2).exponential(40)).sort();
    const q = upperQuantile(small, 0.01);
    expect(q.method).toBe('exponential-tail');
    expect(q.value).toBeGreaterThanOrEqual(small[small.length - 1]);
  });
});

describe('estimateBands on distributions with known quantiles', () => {
  it('uniform(0,1), n = 3000: fail at ≈ 0.99, review at ≈ 0.89, intervals cover the truth', () => {
    const b = estimateBands(sampler(3).uniform(3000), { failRate: 0.01, reviewRate: 0.1, bootstrap: 300, seed: 5 });
    expect(b.failAt).toBeCloseTo(0.99, 2);
    expect(b.reviewAt).toBeCloseTo(0.89, 1);
    expect(b.intervals.failAt[0]).toBeLessThanOrEqual(0.99);
    expect(b.intervals.failAt[1]).toBeGreaterThanOrEqual(0.99);
    expect(b.intervals.reviewAt[0]).toBeLessThanOrEqual(0.89);
    expect(b.intervals.reviewAt[1]).toBeGreaterThanOrEqual(0.89);
    expect(b.method.failAt).toBe('empirical');
    expect(b.warnings).toEqual([]);
  });

  it('normal(10, 2), n = 2000: thresholds near the true 99% / 89% quantiles', () => {
    const b = estimateBands(sampler(4).normal(2000, 10, 2), { bootstrap: 200 });
    expect(b.failAt).toBeGreaterThan(10 + 2 * 2.326 - 0.45);
    expect(b.failAt).toBeLessThan(10 + 2 * 2.326 + 0.45);
    expect(b.reviewAt).toBeGreaterThan(10 + 2 * 1.227 - 0.15);
    expect(b.reviewAt).toBeLessThan(10 + 2 * 1.227 + 0.15);
  });

  it('exponential(1), n = 40: the fitted tail is about right on average (truth ln 100 = 4.61)', () => {
    let sum = 0;
    const reps = 60;
    for (let r = 0; r < reps; r++) sum += estimateBands(sampler(100 + r).exponential(40), { bootstrap: 0 }).failAt;
    const mean = sum / reps;
    expect(mean).toBeGreaterThan(4.61 * 0.85);
    expect(mean).toBeLessThan(4.61 * 1.15);
  });

  it('95% bootstrap intervals cover the true 99% quantile in most repetitions (uniform, n = 1000)', () => {
    let covered = 0;
    const reps = 40;
    for (let r = 0; r < reps; r++) {
      const b = estimateBands(sampler(200 + r).uniform(1000), { bootstrap: 200, seed: r });
      if (b.intervals.failAt[0] <= 0.99 && 0.99 <= b.intervals.failAt[1]) covered++;
    }
    expect(covered / reps).toBeGreaterThan(0.85);
  });

  it('held-out good items fail at about the target rate on fresh samples', () => {
    const b = estimateBands(sampler(7).normal(1000), { bootstrap: 0 });
    const fresh = goodRates(sampler(8).normal(20000), b);
    expect(fresh.shares.fail).toBeGreaterThan(0.004);
    expect(fresh.shares.fail).toBeLessThan(0.02);
    expect(fresh.shares.review).toBeGreaterThan(0.07);
    expect(fresh.shares.review).toBeLessThan(0.13);
  });

  it('is deterministic for a seed', () => {
    const s = sampler(9).normal(200);
    expect(estimateBands(s, { seed: 3, bootstrap: 100 })).toEqual(estimateBands(s, { seed: 3, bootstrap: 100 }));
  });

  it('coverage warning states how many expected items the fail threshold rests on', () => {
    const b = estimateBands(sampler(10).normal(30), { bootstrap: 50 });
    expect(b.warnings.join('\n')).toContain('30 good images: the 1% fail threshold rests on 0.3 expected items');
    expect(b.method.failAt).toBe('exponential-tail');
  });

  it('an uncertain fail limit (4 good images) moves to its interval upper end; the review limit stays', () => {
    const scores = [10.64, 10.93, 11.21, 11.72];
    const b = estimateBands(scores, { bootstrap: 400, seed: 2 });
    const estimate = upperQuantile(Float64Array.from(scores), 0.01).value;
    expect(b.method.failAt).toBe('interval-upper');
    expect(b.failAt).toBe(b.intervals.failAt[1]);
    expect(b.failAt).toBeGreaterThan(estimate);
    expect(b.reviewAt).toBe(estimateBands(scores, { bootstrap: 0 }).reviewAt);
    expect(b.warnings.join('\n')).toMatch(/fail limit sits at the interval's upper end/);
  });

  it('a certain fail limit stays at its estimate', () => {
    const b = estimateBands(sampler(11).normal(400), { bootstrap: 200, seed: 1 });
    expect(b.method.failAt).toBe('exponential-tail');
    expect(b.failAt).toBe(estimateBands(sampler(11).normal(400), { bootstrap: 0 }).failAt);
    expect(b.failAt).toBeLessThan(b.intervals.failAt[1]);
  });

  it('warns when the good scores barely vary', () => {
    const b = estimateBands(new Array(40).fill(0.5), { bootstrap: 20 });
    expect(b.warnings.join('\n')).toMatch(/too uniform/);
  });

  it('rejects bad rates and bad scores with a clear message', () => {
    expect(() => estimateBands([1, 2, 3, 4], { failRate: 0 })).toThrow(/failRate/);
    expect(() => estimateBands([1, 2, 3, 4], { failRate: 0.4, reviewRate: 0.7 })).toThrow(/reviewRate/);
    expect(() => estimateBands([1, NaN, 3, 4])).toThrow(/#1 is not a finite number/);
    expect(() => estimateBands([1, 2])).toThrow(/at least 3 good scores/);
  });
});

describe('judge', () => {
  const band = { reviewAt: 1, failAt: 2 };
  it('maps scores to verdicts with strict thresholds', () => {
    expect(judge(0.5, band)).toBe('pass');
    expect(judge(1, band)).toBe('pass');
    expect(judge(1.5, band)).toBe('review');
    expect(judge(2, band)).toBe('review');
    expect(judge(2.01, band)).toBe('fail');
  });
  it('never passes a missing score or a missing band', () => {
    expect(judge(null, band)).toBe('unjudged');
    expect(judge(undefined, band)).toBe('unjudged');
    expect(judge(NaN, band)).toBe('unjudged');
    expect(judge(0, null)).toBe('unjudged');
    expect(judge(0, { reviewAt: NaN, failAt: 2 })).toBe('unjudged');
  });
  it('counts reject rates', () => {
    const r = rejectRates([0.1, 1.5, 3, 4], band);
    expect(r).toMatchObject({ n: 4, pass: 1, review: 1, fail: 2, flagged: 0.75 });
    expect(() => countVerdicts([1, NaN], band)).toThrow(/#1/);
  });
});
