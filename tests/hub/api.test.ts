// The workshop hub's JSON API over a real PostgreSQL, filled through the hub's own recording functions with three
// benches' events: each page's answer is checked against the workshop the fixture sent, with and without the
// station filter.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  HubBenchesResponse,
  HubMakersResponse,
  HubReferenceSetsResponse,
  HubReviewResponse,
  StationStatus,
} from '../../hub/server/contract.d.ts';
import { addLead, HubClient, type HubHarness, startHubHarness } from './harness.ts';
import { BAND, fillWorkshop, median, type Workshop } from './workshop.ts';

let h: HubHarness;
let w: Workshop;
const lead = () => {
  const c = new HubClient(h.url);
  return c.login().then(() => c);
};
let c: HubClient;

beforeAll(async () => {
  h = await startHubHarness();
  w = await fillWorkshop(h.hub.pool);
  await addLead(h);
  c = await lead();
});
afterAll(async () => {
  await h?.close();
});

describe('stations', () => {
  it('shows each bench online or offline, its last seq, what is missing and how late its newest event came', async () => {
    const s = await c.json<StationStatus[]>('/api/stations');
    expect(s.map((x) => [x.station, x.online])).toEqual([
      ['bench-1', true],
      ['bench-2', false],
      ['bench-3', true],
    ]);
    const two = s.find((x) => x.station === 'bench-2')!;
    expect(two.missing).toBe(1);
    expect(two.lastSeq).toBe(two.events + 1);
    expect(two.lagMs).toBe(7000);
    expect(two.productId).toBe('mug');
    expect(two.makerId).toBe('ben');
    const one = s.find((x) => x.station === 'bench-1')!;
    expect(one.missing).toBe(0);
    expect(one.lagMs).toBe(300);
  });
});

describe('review', () => {
  const pending = (station?: string) =>
    w.inspections.filter((i) => i.reviewStatus === 'pending' && (!station || i.station === station));

  it('lists the undecided borderline items of every bench, with station, maker, score and band', async () => {
    const r = await c.json<HubReviewResponse>('/api/review');
    const want = pending();
    expect(want.length).toBeGreaterThan(1);
    expect(r.total).toBe(want.length);
    expect(r.items.map((i) => `${i.station}/${i.id}`).sort()).toEqual(want.map((i) => `${i.station}/${i.id}`).sort());
    for (const item of r.items) {
      const sent = want.find((i) => i.station === item.station && i.id === item.id)!;
      expect(item).toMatchObject({ productId: sent.productId, makerId: sent.makerId, score: sent.score, band: BAND });
    }
  });

  it('filters by station', async () => {
    const r = await c.json<HubReviewResponse>('/api/review?station=bench-1');
    expect(r.items.map((i) => i.id)).toEqual(pending('bench-1').map((i) => i.id));
    expect(new Set(r.items.map((i) => i.station))).toEqual(new Set(['bench-1']));
  });

  it('serves the thumbnails the station sent, byte for byte, as JPEG', async () => {
    const r = await c.json<HubReviewResponse>('/api/review?station=bench-2');
    const item = r.items[0];
    const res = await c.get(item.frameUrl!);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await res.arrayBuffer())).toEqual(w.frames.get(`bench-2/${item.id}`));
    expect((await c.get(item.heatmapUrl!)).status).toBe(200);
    expect((await c.get('/api/inspections/bench-2/1/frame')).status).toBe(404);
  });

  it('refuses a malformed filter with the reason', async () => {
    const bad = await c.get('/api/review?station=..%2Fx');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/^query → station: must be a station id/);
    expect((await c.get('/api/review?stationn=bench-1')).status).toBe(400);
    expect((await c.get('/api/review?limit=0')).status).toBe(400);
  });
});

describe('makers', () => {
  it('compares each maker at each bench: counts, verdict shares of the judged, median score', async () => {
    const r = await c.json<HubMakersResponse>('/api/makers');
    const key = (x: { productId: string; makerId: string | null; station: string }) =>
      `${x.productId}|${x.makerId}|${x.station}`;
    const groups = new Map<string, typeof w.inspections>();
    for (const i of w.inspections) groups.set(key(i), [...(groups.get(key(i)) ?? []), i]);
    expect(r.rows.map(key).sort()).toEqual([...groups.keys()].sort());
    for (const row of r.rows) {
      const items = groups.get(key(row))!;
      const judged = items.filter((i) => i.verdict !== 'unjudged');
      const share = (v: string) => judged.filter((i) => i.verdict === v).length / judged.length;
      expect(row.count).toBe(items.length);
      if (judged.length === 0) expect(row.rates).toBeNull();
      else {
        expect(row.rates!.pass).toBeCloseTo(share('pass'), 12);
        expect(row.rates!.review).toBeCloseTo(share('review'), 12);
        expect(row.rates!.fail).toBeCloseTo(share('fail'), 12);
      }
      const m = median(judged.map((i) => i.score!));
      if (m === null) expect(row.medianScore).toBeNull();
      else expect(row.medianScore).toBeCloseTo(m, 9);
    }
    // ana worked at two benches: both appear.
    const ana = r.rows.filter((x) => x.makerId === 'ana');
    expect(ana.map((x) => `${x.productId}@${x.station}`).sort()).toEqual(['bowl@bench-3', 'mug@bench-1']);
  });

  it('filters by station', async () => {
    const r = await c.json<HubMakersResponse>('/api/makers?station=bench-3');
    expect(r.rows.length).toBeGreaterThan(0);
    expect(new Set(r.rows.map((x) => x.station))).toEqual(new Set(['bench-3']));
    expect(r.rows.map((x) => x.makerId).sort()).toEqual(['ana', 'cleo']);
  });
});

describe('benches', () => {
  it("flags the bench whose mug scores departed from the others', and only that one", async () => {
    const r = await c.json<HubBenchesResponse>('/api/benches');
    const mug = r.products.find((p) => p.productId === 'mug')!;
    expect(mug.benches.map((b) => [b.station, b.flagged])).toEqual([
      ['bench-1', false],
      ['bench-2', false],
      ['bench-3', true],
    ]);
    for (const b of mug.benches) {
      const scores = w.inspections
        .filter((i) => i.station === b.station && i.productId === 'mug' && i.score !== null)
        .map((i) => i.score!);
      expect(b.n).toBe(scores.length);
      expect(b.quantiles!.median).toBeCloseTo(median(scores)!, 9);
      expect(b.counts.reduce((a, x) => a + x, 0)).toBe(scores.length);
    }
    expect(r.rule).toContain('interquartile range');
    // Bowls are made at one bench only: nothing to compare with, nothing flagged.
    const bowl = r.products.find((p) => p.productId === 'bowl')!;
    expect(bowl.benches).toHaveLength(1);
    expect(bowl.benches[0].departure).toBeNull();
    expect(bowl.benches[0].flagged).toBe(false);
  });

  it('takes only the last window of items per bench', async () => {
    const r = await c.json<HubBenchesResponse>('/api/benches?window=20&product=mug');
    expect(r.products.map((p) => p.productId)).toEqual(['mug']);
    expect(r.products[0].benches.every((b) => b.n === 20)).toBe(true);
  });
});

describe('reference sets', () => {
  it("shows each product's versions on every bench and which one each bench runs", async () => {
    const r = await c.json<HubReferenceSetsResponse>('/api/reference-sets');
    const mug = r.products.find((p) => p.productId === 'mug')!;
    expect(mug.activeByStation).toEqual([
      { station: 'bench-1', version: 2 },
      { station: 'bench-2', version: 1 },
      { station: 'bench-3', version: null },
    ]);
    expect(mug.versions.filter((v) => v.station === 'bench-1').map((v) => [v.version, v.imageCount, v.active])).toEqual(
      [
        [2, 55, true],
        [1, 40, false],
      ],
    );
    const filtered = await c.json<HubReferenceSetsResponse>('/api/reference-sets?station=bench-3');
    expect(filtered.products.map((p) => p.productId)).toEqual(['bowl', 'mug']);
    expect(filtered.products.flatMap((p) => p.versions.map((v) => v.station))).toEqual(['bench-3', 'bench-3']);
  });
});
