import { describe, expect, it } from 'vitest';
import {
  chooseBandsFromRejects,
  histogram,
  histogramText,
  nearestExamples,
  regionStats,
  normaliseMap,
  leaveOneOutRegionScores,
  regionTolerance,
  productScorer,
  modelToJson,
  poolScores,
} from '../../station/verdict/index.ts';
import { sampler } from './helpers.ts';

describe('chooseBandsFromRejects', () => {
  it('picks the quietest band that still catches 95% of rejects', () => {
    const good = sampler(1).normal(400);
    const rejects = sampler(2).normal(200, 4, 1);
    const c = chooseBandsFromRejects(good, rejects, { bootstrap: 50 });
    const o = c.options[c.chosen];
    expect(o.rejects.flagged).toBeGreaterThanOrEqual(0.95);
    for (const other of c.options)
      if (other.rejects.flagged >= 0.95 && other.good.shares.fail <= 0.05)
        expect(o.good.flagged).toBeLessThanOrEqual(other.good.flagged);
    expect(c.band.rates).toEqual(o.rates);
    expect(c.band.failAt).toBeCloseTo(o.failAt, 12);
  });
  it('says so when no band catches enough', () => {
    const c = chooseBandsFromRejects(sampler(3).normal(300), sampler(4).normal(100, 0.5, 1), { bootstrap: 0 });
    expect(c.reason).toMatch(/no candidate catches/);
  });
});

describe('histogram', () => {
  it('counts every value once, including the maximum', () => {
    const v = sampler(5).uniform(1000);
    const h = histogram(v, { bins: 10 });
    expect(h.counts.reduce((a, b) => a + b, 0)).toBe(1000);
    expect(h.edges).toHaveLength(11);
    expect(histogramText(h, { marks: { fail: 0.95 } })).toContain('◄ fail');
  });
});

describe('per-region normalisation', () => {
  // 4×4 grid; cell 0 is a "wood grain" place where good items vary a lot.
  const W = 4,
    H = 4;
  const goods = Array.from({ length: 30 }, (_, i) => {
    const s = sampler(50 + i);
    const m = Float32Array.from(s.normal(16, 1, 0.05));
    m[0] = 1 + Math.abs(s.normal(1, 0, 1.5)[0]);
    return m;
  });
  it('a defect in a calm place outranks natural variation in a busy place', () => {
    const stats = regionStats(goods, W, H);
    const normalGood = goods[3].slice();
    normalGood[0] = 4; // a busy-place excursion, still normal there
    const defect = goods[4].slice();
    defect[0] = 1;
    defect[10] = 1.6; // small but unusual bump in a calm place
    expect(poolScores(defect)).toBeLessThan(poolScores(normalGood)); // raw max gets it wrong
    expect(poolScores(normaliseMap(defect, stats))).toBeGreaterThan(poolScores(normaliseMap(normalGood, stats)));
  });
  it('leave-one-out scores differ from in-sample ones (own quirk does not widen own tolerance)', () => {
    const loo = leaveOneOutRegionScores(goods, W, H);
    const stats = regionStats(goods, W, H);
    const inSample = goods.map((m) => poolScores(normaliseMap(m, stats)));
    const higher = loo.filter((v, i) => v > inSample[i]).length;
    expect(higher).toBeGreaterThan(goods.length / 2);
  });
  it('region masks scale tolerance and can ignore a region', () => {
    const tol = regionTolerance(
      [
        { x: 0, y: 0, w: 0.5, h: 0.5, tolerance: 2 },
        { x: 0.5, y: 0.5, w: 0.5, h: 0.5, ignore: true },
      ],
      W,
      H,
    )!;
    expect(tol[0]).toBe(2);
    expect(tol[15]).toBe(Infinity);
    const m = new Float32Array(16).fill(1);
    m[0] = 3;
    m[15] = 100;
    expect(poolScores(normaliseMap(m, undefined, tol))).toBe(1.5);
    const score = productScorer(modelToJson(undefined, [{ x: 0.5, y: 0.5, w: 0.5, h: 0.5, ignore: true }], W, H));
    expect(score({ score: 100, patchScores: m })).toBe(3);
    expect(() => score({ score: 1, patchScores: new Float32Array(9) })).toThrow(/recalibrate/);
    expect(productScorer({ kind: 'raw' })({ score: 7 })).toBe(7);
  });
});

describe('nearestExamples', () => {
  it('returns the k closest reference images with names', () => {
    const refs = Float32Array.from([0, 0, 10, 10, 1, 1, 5, 5]);
    const r = nearestExamples(Float32Array.from([0.9, 0.9]), refs, ['a.png', 'b.png', 'c.png', 'd.png'], 2);
    expect(r.map((x) => x.name)).toEqual(['c.png', 'a.png']);
    expect(r[0].distance).toBeCloseTo(Math.hypot(0.1, 0.1), 6);
    expect(() => nearestExamples(Float32Array.from([1, 2]), refs, ['a'], 1)).toThrow(/1 names/);
  });
});

describe('judgeInspection', () => {
  it('judges with the stored model and never passes what it cannot score', async () => {
    const { judgeInspection } = await import('../../station/verdict/index.ts');
    const t = { reviewAt: 1, failAt: 2 };
    expect(judgeInspection({ score: 1.5 }, t)).toEqual({ verdict: 'review', score: 1.5 });
    expect(judgeInspection({ score: 3 }, null).verdict).toBe('unjudged');
    expect(judgeInspection(null, t).verdict).toBe('unjudged');
    expect(judgeInspection({ score: NaN }, t)).toEqual({ verdict: 'unjudged', score: null });
    const region = {
      ...t,
      scoreModel: {
        kind: 'region' as const,
        gridW: 2,
        gridH: 1,
        regions: [{ x: 0, y: 0, w: 0.5, h: 1, tolerance: 4 }],
      },
    };
    expect(judgeInspection({ score: 9, patchScores: Float32Array.from([6, 0.5]) }, region)).toEqual({
      verdict: 'review',
      score: 1.5,
    });
    // padding cells never score
    expect(
      judgeInspection(
        { score: 9, patchScores: Float32Array.from([6, 0.5]), contentMask: Uint8Array.from([1, 0]) },
        region,
      ).score,
    ).toBe(1.5);
    expect(
      judgeInspection(
        { score: 9, patchScores: Float32Array.from([0.1, 9]), contentMask: Uint8Array.from([1, 0]) },
        region,
      ).verdict,
    ).toBe('pass');
    const bad = judgeInspection({ score: 9 }, region);
    expect(bad.verdict).toBe('unjudged');
    expect(bad.error).toMatch(/no patch scores/);
  });
});
