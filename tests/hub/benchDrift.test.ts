// The bench-drift rule on numbers: a bench is flagged when its median departs from the other benches' pooled median
// by more than their interquartile range; a few defective items do not move it; too few scores give no verdict.
import { describe, expect, it } from 'vitest';
import {
  compareBenches,
  DEPARTURE_LIMIT,
  histogramCounts,
  MIN_SCORES,
  quantile,
  sharedEdges,
} from '../../hub/benchDrift.ts';
import { createRng } from '../../station/shared/random.ts';

const scores = (centre: number, n: number, seed: number, spread = 2) => {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => centre + (rng() - 0.5) * spread);
};

describe('quantile', () => {
  it('interpolates between ranks as percentile_cont does', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([10, 20, 30, 40, 50], 0.25)).toBe(20);
    expect(quantile([10, 20], 0.1)).toBeCloseTo(11, 12);
    expect(quantile([7], 0.9)).toBe(7);
  });
});

describe('histogram', () => {
  it('puts every score in one bin of the shared edges, the highest in the last', () => {
    const edges = sharedEdges([0, 10, 5], 10);
    expect(edges).toHaveLength(11);
    expect(edges[0]).toBe(0);
    expect(edges[10]).toBe(10);
    expect(histogramCounts([0, 0.5, 9.99, 10, 5], edges)).toEqual([2, 0, 0, 0, 0, 1, 0, 0, 0, 2]);
  });
});

describe('compareBenches', () => {
  it('flags the one bench whose scores moved, and no other', () => {
    const r = compareBenches([
      { station: 'a', scores: scores(10, 60, 1), band: null },
      { station: 'b', scores: scores(10.2, 60, 2), band: null },
      { station: 'c', scores: scores(12.5, 60, 3), band: null },
    ]);
    expect(r.benches.map((b) => b.flagged)).toEqual([false, false, true]);
    expect(r.benches[2].departure!).toBeGreaterThan(DEPARTURE_LIMIT);
  });

  it('is not moved by a few defective items on one bench', () => {
    const withDefects = [...scores(10, 55, 4), 25, 26, 27, 30, 31];
    const r = compareBenches([
      { station: 'a', scores: scores(10, 60, 5), band: null },
      { station: 'b', scores: withDefects, band: null },
      { station: 'c', scores: scores(10.1, 60, 6), band: null },
    ]);
    expect(r.benches.some((b) => b.flagged)).toBe(false);
  });

  it('gives no verdict below the minimum number of scores', () => {
    const r = compareBenches([
      { station: 'a', scores: scores(10, 60, 7), band: null },
      { station: 'b', scores: scores(20, MIN_SCORES - 1, 8), band: null },
    ]);
    expect(r.benches[1].departure).toBeNull();
    expect(r.benches[1].flagged).toBe(false);
    // and a with too few others to compare against
    expect(r.benches[0].others).toBeNull();
  });

  it('flags both of two benches that disagree (it cannot tell which moved)', () => {
    const r = compareBenches([
      { station: 'a', scores: scores(10, 40, 9), band: null },
      { station: 'b', scores: scores(13, 40, 10), band: null },
    ]);
    expect(r.benches.map((b) => b.flagged)).toEqual([true, true]);
  });
});
