// The drift rule and the per-maker figures, on numbers (pure functions).
import { describe, expect, it } from 'vitest';
import { driftFlag, spreadFromBand } from '../../station/makers/drift.ts';
import { histogramEdges, makerStats, type ScoredRow } from '../../station/makers/stats.ts';
import { goodSpreadOf } from '../../station/server/routes/makers.ts';

/** Deterministic pseudo-normal scores (sum of six uniforms from mulberry32). */
function scores(n: number, mean: number, sd: number, seed = 1): number[] {
  let a = seed >>> 0;
  const u = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Array.from({ length: n }, () => mean + sd * (u() + u() + u() + u() + u() + u() - 3) * Math.SQRT2);
}

describe('driftFlag', () => {
  it('stays quiet for a maker whose scores come from one distribution', () => {
    const r = driftFlag(scores(80, 0.3, 0.1, 7), scores(200, 0.3, 0.1, 8), 0.1);
    expect(r.flagged).toBe(false);
    expect(Math.abs(r.shiftVsOwn!)).toBeLessThan(1);
  });

  it('flags a maker whose last 20 moved up by 1.5 spreads against their own history', () => {
    const own = [...scores(60, 0.3, 0.1, 3), ...scores(20, 0.45, 0.1, 4)];
    const r = driftFlag(own, [], 0.1);
    expect(r.flagged).toBe(true);
    expect(r.shiftVsOwn!).toBeGreaterThan(1);
    expect(r.workshopMean).toBeNull(); // too few others to compare
    expect(r.reasons[0]).toMatch(/above this maker's earlier scores/);
  });

  it('flags a maker above the other makers even without own history', () => {
    const r = driftFlag(scores(20, 0.5, 0.1, 5), scores(100, 0.3, 0.1, 6), 0.1);
    expect(r.ownHistoryMean).toBeNull();
    expect(r.flagged).toBe(true);
    expect(r.reasons).toEqual([expect.stringMatching(/above the other makers/)]);
  });

  it('does not flag a maker who got better, nor one with too few items', () => {
    expect(driftFlag([...scores(40, 0.4, 0.1), ...scores(20, 0.1, 0.1)], scores(100, 0.4, 0.1), 0.1).flagged).toBe(
      false,
    );
    const few = driftFlag(scores(19, 0.9, 0.1), scores(100, 0.3, 0.1), 0.1);
    expect(few.flagged).toBe(false);
    expect(few.recentMean).toBeNull();
  });

  it('respects N and K', () => {
    const own = [...new Array(30).fill(0.3), ...new Array(10).fill(0.36)]; // a 0.6-spread move
    expect(driftFlag(own, [], 0.1, { recentN: 10 }).flagged).toBe(false);
    expect(driftFlag(own, [], 0.1, { recentN: 10, thresholdSpreads: 0.4 }).flagged).toBe(true);
  });

  it('derives the spread from the band, or from the report histogram', () => {
    expect(spreadFromBand({ reviewAt: 0.5, failAt: 0.605 })).toBeCloseTo(0.1, 6);
    expect(spreadFromBand({ reviewAt: 0.5, failAt: 0.5 })).toBeNull();
    const values = scores(2000, 1, 0.2, 11);
    const edges = Array.from({ length: 41 }, (_, i) => 0 + i * 0.05);
    const counts = new Array(40).fill(0);
    for (const v of values) counts[Math.min(39, Math.max(0, Math.floor(v / 0.05)))]++;
    expect(goodSpreadOf({ histogram: { good: { edges, counts } } })!).toBeCloseTo(0.2, 1);
    expect(goodSpreadOf({ goodScoreStd: 0.07 })).toBe(0.07);
    expect(goodSpreadOf({})).toBeNull();
  });
});

describe('makerStats', () => {
  const row = (t: number, makerId: string | null, score: number, productId = 'tile'): ScoredRow => ({
    inspectedAt: t,
    productId,
    makerId,
    score,
    verdict: score >= 0.8 ? 'fail' : score >= 0.5 ? 'review' : 'pass',
  });

  it('counts verdicts, rates, histogram and series per maker and product', () => {
    const rows = [
      row(3, 'ana', 0.2),
      row(1, 'ana', 0.6),
      row(2, 'ben', 0.9),
      row(4, 'ana', 0.85),
      row(5, 'ana', 0.1, 'bowl'),
    ];
    const out = makerStats(rows, new Map([['tile', { reviewAt: 0.5, failAt: 0.8 }]]), { bins: 10 });
    expect(out.map((g) => `${g.productId}/${g.makerId}`)).toEqual(['bowl/ana', 'tile/ana', 'tile/ben']);
    const ana = out[1];
    expect(ana.verdicts).toEqual({ pass: 1, review: 1, fail: 1, unjudged: 0 });
    expect(ana.rates!.fail).toBeCloseTo(1 / 3);
    expect(ana.series.map((p) => p.t)).toEqual([1, 3, 4]);
    expect(ana.histogram.counts.reduce((a, b) => a + b, 0)).toBe(3);
    // Shared edges within a product, so side-by-side histograms line up.
    expect(out[2].histogram.edges).toEqual(ana.histogram.edges);
    // Zoomed on the band: from 3 band-widths below reviewAt (clamped at 0) to 1.5 above failAt.
    expect(ana.histogram.edges[0]).toBe(0);
    expect(ana.histogram.edges.at(-1)).toBeCloseTo(0.8 + 1.5 * 0.3);
  });

  it('thins long series evenly, keeping the first and last point', () => {
    const rows = Array.from({ length: 5000 }, (_, i) => row(i, 'ana', 0.3));
    const [g] = makerStats(rows, new Map(), { maxSeriesPoints: 100 });
    expect(g.series).toHaveLength(100);
    expect(g.series[0].t).toBe(0);
    expect(g.series[99].t).toBe(4999);
    expect(g.count).toBe(5000);
  });

  it('builds edges around the data, or zoomed on the band', () => {
    const e = histogramEdges([1.5, 2.5], undefined, 4);
    expect(e[0]).toBe(1.5);
    expect(e[4]).toBeCloseTo(2.5, 6);
    const z = histogramEdges([14, 15], { reviewAt: 16, failAt: 18 }, 10);
    expect(z[0]).toBe(10);
    expect(z[10]).toBeCloseTo(21, 6);
    expect(histogramEdges([], undefined, 2)).toEqual([0, expect.closeTo(0.5, 6), expect.closeTo(1, 6)]);
  });
});
