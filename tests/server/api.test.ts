// The REST API against a real server and SQLite store: filters, validation, bench control.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addInspection, Client, seed, startHarness, type Harness } from './harness.ts';

let h: Harness;
let lead: Client;
const ids: number[] = [];
const DAY = 86_400_000;
const t0 = Date.UTC(2024, 4, 1, 9);

beforeAll(async () => {
  h = await startHarness();
  await seed(h);
  const plan: [number, string | null, string][] = [
    [0.2, 'ana', 'tile'],
    [0.6, 'ana', 'tile'],
    [0.9, 'ben', 'tile'],
    [0.3, 'ben', 'tile'],
    [0.7, null, 'tile'],
    [0.1, 'ana', 'bowl'],
  ];
  for (const [i, [score, makerId, productId]] of plan.entries()) {
    ids.push((await addInspection(h, { score, makerId, productId, at: t0 + i * DAY })).id);
  }
  lead = new Client(h.url);
  await lead.login('lead1');
});
afterAll(() => h.close());

type Listed = {
  total: number;
  items: { id: number; verdict: string; makerId: string | null; frameUrl: string; nearest: { url: string }[] }[];
};
const list = async (q: string) => {
  const res = await fetch(`${h.url}/api/inspections${q}`);
  return { status: res.status, body: (await res.json()) as Listed & { error?: string } };
};

describe('GET /api/inspections', () => {
  it('lists newest first with evidence and reference URLs', async () => {
    const { status, body } = await list('');
    expect(status).toBe(200);
    expect(body.total).toBe(6);
    expect(body.items.map((i) => i.id)).toEqual([...ids].reverse());
    expect(body.items[0].frameUrl).toMatch(/^\/evidence\/\d{4}-\d{2}-\d{2}\/\d+-frame-[0-9a-f]+\.jpg$/);
    expect(body.items[0].nearest[0].url).toBe('/references/bowl/good-01.png');
  });

  it('filters by product, maker, verdict list, review status and time', async () => {
    expect((await list('?product=bowl')).body.items.map((i) => i.id)).toEqual([ids[5]]);
    expect((await list('?maker=ben')).body.items.map((i) => i.id)).toEqual([ids[3], ids[2]]);
    expect((await list('?maker=none')).body.items.map((i) => i.id)).toEqual([ids[4]]);
    expect((await list('?verdict=review,fail&product=tile')).body.items.map((i) => i.verdict)).toEqual([
      'review',
      'fail',
      'review',
    ]);
    expect((await list('?reviewStatus=pending')).body.total).toBe(3);
    const since = new Date(t0 + 2 * DAY).toISOString();
    expect((await list(`?since=${since}&until=${t0 + 4 * DAY}`)).body.items.map((i) => i.id)).toEqual([ids[3], ids[2]]);
    const page = await list('?limit=2&offset=2');
    expect(page.body.items.map((i) => i.id)).toEqual([ids[3], ids[2]]);
    expect(page.body.total).toBe(6);
  });

  it.each([
    ['?limit=501', /query → limit: must be between 1 and 500/],
    ['?limit=0', /query → limit: must be between 1 and 500/],
    ['?limit=ten', /query → limit: must be a whole number/],
    ['?offset=-1', /query → offset: must be between 0/],
    ['?verdict=maybe', /query → verdict: must be one or more of pass, review, fail, unjudged/],
    ['?reviewStatus=done', /query → reviewStatus: must be one or more of/],
    ['?since=yesterday', /query → since: must be epoch milliseconds or an ISO date/],
    ['?since=2000&until=1000', /query → since: must be before 'until'/],
    ['?product=../etc', /query → product: must be an id/],
    ['?colour=red', /query: unknown field "colour" \(allowed: product, maker/],
    ['?maker=a&maker=b', /query → maker: must be given once/],
  ])('answers 400 with a clear message for %s', async (q, message) => {
    const { status, body } = await list(q);
    expect(status).toBe(400);
    expect(body.error).toMatch(message);
  });
});

describe('GET /api/inspections/:id', () => {
  it('returns one inspection with its tolerance band and reference-set version; its reviews (notes, lead names) only to a lead', async () => {
    h.store.reviews.add({ inspectionId: ids[1], action: 'note', note: 'ask Ana about the rim', userName: 'lead1' });
    const res = await fetch(`${h.url}/api/inspections/${ids[1]}`);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      id: ids[1],
      verdict: 'review',
      score: 0.6,
      band: { reviewAt: 0.5, failAt: 0.8 },
      referenceSetVersion: 2,
      makerName: 'Ana',
      productName: 'Glazed tile',
    });
    expect(body).not.toHaveProperty('reviews');
    expect(JSON.stringify(body)).not.toMatch(/lead1|ask Ana/);
    const forLead = (await (await lead.get(`/api/inspections/${ids[1]}`)).json()) as {
      reviews: { note: string; userName: string }[];
    };
    expect(forLead.reviews).toMatchObject([{ note: 'ask Ana about the rim', userName: 'lead1' }]);
  });

  it('answers 404 for a missing one and 400 for a malformed id', async () => {
    expect((await fetch(`${h.url}/api/inspections/99999`)).status).toBe(404);
    const bad = await fetch(`${h.url}/api/inspections/abc`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/inspection id: must be a positive whole number/);
  });
});

describe('bench control', () => {
  it('POST /api/trigger asks the station to inspect', async () => {
    h.station.calls = [];
    expect((await lead.post('/api/trigger')).status).toBe(202);
    expect(h.station.calls).toEqual(['trigger']);
  });

  it('reports a station refusal as 409 with its message', async () => {
    h.station.state.camera = 'lost';
    const res = await lead.post('/api/trigger');
    h.station.state.camera = 'up';
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: string }).error).toMatch(/camera is lost/);
  });

  it('POST /api/select changes product and maker, and validates them', async () => {
    h.station.calls = [];
    const res = await lead.post('/api/select', { productId: 'bowl', makerId: 'ben' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      productId: 'bowl',
      productName: 'Turned bowl',
      makerId: 'ben',
      makerName: 'Ben',
    });
    expect(h.station.calls).toEqual(['select:{"productId":"bowl","makerId":"ben"}']);
    expect((await lead.post('/api/select', { makerId: null })).status).toBe(200);
    expect(h.station.state.makerId).toBeNull();
    for (const [body, msg] of [
      [{}, /send 'productId' and\/or 'makerId'/],
      [{ productId: 'vase' }, /product 'vase' does not exist/],
      [{ makerId: 42 }, /body → makerId: must be a string id/],
      [{ productId: 'bowl', colour: 'red' }, /body: unknown field "colour" \(allowed: productId, makerId\)/],
      ['[1,2]', /must be a JSON object/],
      ['{not json', /not valid JSON/],
    ] as const) {
      const bad = await lead.post('/api/select', body);
      expect(bad.status, JSON.stringify(body)).toBe(400);
      expect(((await bad.json()) as { error: string }).error).toMatch(msg);
    }
  });

  it('GET /api/products and /api/makers list the store', async () => {
    const products = (await (await fetch(`${h.url}/api/products`)).json()) as {
      id: string;
      activeVersion: number | null;
    }[];
    expect(products.map((p) => [p.id, p.activeVersion])).toEqual([
      ['tile', 2],
      ['bowl', null],
    ]);
    const makers = (await (await fetch(`${h.url}/api/makers`)).json()) as { id: string }[];
    expect(makers.map((m) => m.id)).toEqual(['ana', 'ben']);
  });

  it('GET /api/frame.jpg serves the latest frame, 503 before there is one', async () => {
    h.station.frame = null;
    expect((await fetch(`${h.url}/api/frame.jpg`)).status).toBe(503);
    h.station.frame = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);
    const res = await fetch(`${h.url}/api/frame.jpg`);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await res.arrayBuffer()).equals(h.station.frame)).toBe(true);
  });

  it('unknown routes answer 404 JSON', async () => {
    const res = await fetch(`${h.url}/api/nothing`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: string }).error).toMatch(/no such page or API/);
  });
});

describe('what a visitor sees of the station itself', () => {
  it('a CSP that connects only to the station, and a missing script that does not reveal where it is installed', async () => {
    const page = await fetch(`${h.url}/`);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toMatch(/connect-src 'self';/);
    expect(csp).not.toMatch(/ws:|wss:/);
    const missing = await fetch(`${h.url}/js/nothing-here.js`);
    expect(missing.status).toBe(404);
    const text = await missing.text();
    expect(text).toContain('build the dashboard with');
    expect(text).not.toContain(process.cwd());
    expect(text).not.toMatch(/\/(tmp|work|home|usr)\//);
  });
});
