// The bench check's figures: shares judged as the station judges (strictly above an edge), the binomial range the
// band's target rates allow on n images, and the shares anywhere inside the edges' bootstrap intervals.
import { describe, expect, it } from 'vitest';
import { benchCheckFigures, binomialQuantile } from '../../station/verdict/benchCheck.ts';

/** P(X ≤ k) by summing the pmf with exact binomial coefficients (small n only). */
function cdf(n: number, p: number, k: number): number {
  let c = 1;
  let s = 0;
  for (let i = 0; i <= k; i++) {
    if (i > 0) c = (c * (n - i + 1)) / i;
    s += c * p ** i * (1 - p) ** (n - i);
  }
  return s;
}

describe('binomialQuantile', () => {
  it.each([
    [10, 0.11],
    [25, 0.01],
    [40, 0.3],
  ])('is the smallest k with P(X ≤ k) ≥ q (n %i, p %f)', (n, p) => {
    for (const q of [0.025, 0.5, 0.975]) {
      const k = binomialQuantile(n, p, q);
      expect(cdf(n, p, k)).toBeGreaterThanOrEqual(q - 1e-9);
      if (k > 0) expect(cdf(n, p, k - 1)).toBeLessThan(q);
    }
  });

  it('stays finite for large n', () => {
    const k = binomialQuantile(5000, 0.11, 0.975);
    expect(k / 5000).toBeGreaterThan(0.11);
    expect(k / 5000).toBeLessThan(0.13);
  });
});

describe('benchCheckFigures', () => {
  const band = {
    reviewAt: 0.5,
    failAt: 0.8,
    intervals: { reviewAt: [0.4, 0.6] as [number, number], failAt: [0.7, 0.9] as [number, number] },
    rates: { failRate: 0.01, reviewRate: 0.1 },
  };

  it('counts review and fail as false alarms, an edge itself as a pass', () => {
    const scores = [0.1, 0.2, 0.5, 0.55, 0.65, 0.85, 0.3, 0.3, 0.3, 0.3];
    const f = benchCheckFigures(scores, band);
    expect(f.n).toBe(10);
    expect(f.falseAlarmRate).toBeCloseTo(3 / 10, 12); // 0.55, 0.65, 0.85
    expect(f.failRate).toBeCloseTo(1 / 10, 12);
    // above 0.6 (the review edge's high end): 0.65, 0.85; above 0.4: 0.5, 0.55, 0.65, 0.85
    expect(f.atEdgeIntervals.falseAlarmRate).toEqual([0.2, 0.4]);
    expect(f.atEdgeIntervals.failRate).toEqual([0, 0.1]);
    expect(f.expected.falseAlarmRate).toEqual([
      binomialQuantile(10, 0.11, 0.025) / 10,
      binomialQuantile(10, 0.11, 0.975) / 10,
    ]);
    expect(f.ok).toBe(f.falseAlarmRate <= f.expected.falseAlarmRate[1] && f.failRate <= f.expected.failRate[1]);
  });

  it('is not ok when a bench flags far more good items than the band allows', () => {
    const drifted = Array.from({ length: 40 }, (_, i) => (i < 20 ? 0.7 : 0.2));
    const f = benchCheckFigures(drifted, band);
    expect(f.falseAlarmRate).toBe(0.5);
    expect(f.ok).toBe(false);
    const steady = Array.from({ length: 40 }, (_, i) => (i < 4 ? 0.7 : 0.2));
    expect(benchCheckFigures(steady, band).ok).toBe(true);
  });

  it('needs at least one image and finite scores', () => {
    expect(() => benchCheckFigures([], band)).toThrow(/at least one good image/);
    expect(() => benchCheckFigures([Number.NaN], band)).toThrow(/cannot be judged/);
  });
});
