import { versusTarget, wilsonLower } from '../../station/makers/stats.ts';
// GET /api/makers/stats on seeded inspections: per maker figures and the drift flag.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, seed, startHarness, type Harness } from './harness.ts';

let h: Harness;
let lead: Client;
const now = Date.now();
const HOUR = 3_600_000;

beforeAll(async () => {
  h = await startHarness();
  await seed(h);
  // Ana steady around 0.3; Ben steady for 40 items, then up by 0.4 — with the band 0.5/0.8 the good-score
  // spread is taken as 0.3 / 1.05 ≈ 0.29, so Ben moved ≈ 1.4 spreads.
  let t = now - 20 * 24 * HOUR;
  const rec = (makerId: string, score: number) =>
    h.store.inspections.record({
      inspectedAt: (t += HOUR),
      productId: 'tile',
      makerId,
      score,
      verdict: score >= 0.8 ? 'fail' : score >= 0.5 ? 'review' : 'pass',
      band: { reviewAt: 0.5, failAt: 0.8 },
    });
  for (let i = 0; i < 60; i++) rec('ana', 0.3 + 0.02 * Math.sin(i));
  for (let i = 0; i < 40; i++) rec('ben', 0.3 + 0.02 * Math.cos(i));
  for (let i = 0; i < 20; i++) rec('ben', 0.7 + 0.02 * Math.cos(i));
  lead = new Client(h.url);
  await lead.login('lead1');
});
afterAll(() => h.close());

type Stats = {
  driftRule: string;
  products: {
    productId: string;
    band: unknown;
    makers: {
      makerId: string;
      count: number;
      verdicts: Record<string, number>;
      drift: { flagged: boolean; shiftVsOwn: number };
      series: unknown[];
      histogram: { counts: number[] };
    }[];
  }[];
};

describe('GET /api/makers/stats', () => {
  it('reports each maker with counts, series and a drift flag for the one who moved', async () => {
    const res = await lead.get('/api/makers/stats?product=tile');
    expect(res.status).toBe(200);
    const body = (await res.json()) as Stats;
    expect(body.driftRule).toMatch(/N = 20, K = 1/);
    const [tile] = body.products;
    expect(tile.band).toMatchObject({ reviewAt: 0.5, failAt: 0.8 });
    const ana = tile.makers.find((m) => m.makerId === 'ana')!;
    const ben = tile.makers.find((m) => m.makerId === 'ben')!;
    expect(ana.count).toBe(60);
    expect(ana.drift.flagged).toBe(false);
    expect(ben.verdicts).toMatchObject({ pass: 40, review: 20, fail: 0 });
    expect(ben.drift.flagged).toBe(true);
    expect(ben.drift.shiftVsOwn).toBeGreaterThan(1);
    expect(ben.series).toHaveLength(60);
    expect(ben.histogram.counts.reduce((a, b) => a + b, 0)).toBe(60);
  });

  it('narrows to a maker and a period', async () => {
    const since = now - 20 * 24 * HOUR + 30 * HOUR;
    const body = (await (
      await lead.get(`/api/makers/stats?product=tile&maker=ana&since=${since}&until=${now}`)
    ).json()) as Stats;
    expect(body.products[0].makers.map((m) => [m.makerId, m.count])).toEqual([['ana', 31]]);
  });

  it('validates its query', async () => {
    for (const [q, status] of [
      ['?since=abc', 400],
      ['?since=2000&until=1000', 400],
      ['?product=vase', 404],
      ['?maker=zed', 404],
      ['?recent=2', 400],
    ] as const) {
      expect((await lead.get(`/api/makers/stats${q}`)).status, q).toBe(status);
    }
  });
});

describe("rates against the product's targets", () => {
  it('flags a rate only when its 95 % lower bound is above the target', () => {
    const v = (pass: number, review: number, fail: number) => ({ pass, review, fail, unjudged: 0 });
    const t = { review: 0.1, fail: 0.01 };
    expect(versusTarget(v(29, 21, 0), t).review).toEqual({ rate: 0.42, target: 0.1, above: true });
    // 2 of 10 in review is 20 %, but ten items cannot show that the maker's rate is above 10 %.
    expect(versusTarget(v(8, 2, 0), t).review.above).toBe(false);
    expect(versusTarget(v(90, 9, 1), t)).toMatchObject({ n: 100, review: { above: false }, fail: { above: false } });
    expect(versusTarget(v(0, 0, 0), t)).toMatchObject({ n: 0, review: { rate: 0, above: false } });
    expect(wilsonLower(21, 50)).toBeCloseTo(0.2937, 3);
  });
});
