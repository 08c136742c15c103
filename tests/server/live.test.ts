// socket.io announcements, /healthz, /metrics and the reference-set routes, seen from a real client.
import { io as ioClient, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addInspection, Client, seed, startHarness, type Harness } from './harness.ts';

let h: Harness;
let socket: Socket;
/** A signed-in lead's dashboard: it also gets the lead-only events. */
let leadSocket: Socket;
let lead: Client;
const anonymousCalibrationEvents: unknown[] = [];

/** Resolves with the next payload of `event` that satisfies `pred` (on the anonymous socket unless told). */
function next<T>(event: string, pred: (p: T) => boolean = () => true, ms = 5000, on_ = socket): Promise<T> {
  const socket = on_;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no '${event}' event within ${ms} ms`)), ms);
    const on = (p: T) => {
      if (!pred(p)) return;
      clearTimeout(timer);
      socket.off(event, on);
      resolve(p);
    };
    socket.on(event, on);
  });
}

beforeAll(async () => {
  h = await startHarness();
  await seed(h);
  await addInspection(h, { score: 0.2 });
  socket = ioClient(h.url, { transports: ['websocket'] });
  const hello = next<{ selection: { productName: string }; lastInspection: { verdict: string } }>('hello');
  const got = await hello;
  expect(got.selection.productName).toBe('Glazed tile');
  expect(got.lastInspection.verdict).toBe('pass');
  lead = new Client(h.url);
  await lead.login('lead1');
  socket.on('calibration', (e: unknown) => anonymousCalibrationEvents.push(e));
  leadSocket = ioClient(h.url, { transports: ['websocket'], extraHeaders: { Cookie: lead.cookie } });
  await next('hello', () => true, 5000, leadSocket);
});
afterAll(async () => {
  socket.close();
  leadSocket.close();
  await h.close();
});

describe('announcements', () => {
  it("pushes an inspection with URLs and names, then today's count for the maker", async () => {
    const row = await addInspection(h, { score: 0.9, makerId: 'ana' });
    const got = next<Record<string, unknown>>('inspection');
    const today = next<{ makerId: string; total: number; counts: { fail: number } }>('today');
    h.server.announce.inspection(row, { latencyMs: 80 });
    expect(await got).toMatchObject({
      id: row.id,
      verdict: 'fail',
      score: 0.9,
      band: { reviewAt: 0.5, failAt: 0.8 },
      makerName: 'Ana',
      frameUrl: `/evidence/${row.framePath}`,
      nearest: [{ fileName: 'good-01.png', url: '/references/tile/good-01.png' }],
    });
    const t = await today;
    expect(t.makerId).toBe('ana');
    expect(t.total).toBe(h.store.inspections.count({ makerId: 'ana' }));
    expect(t.counts.fail).toBe(1);
  });

  it('pushes bench, camera and selection changes', async () => {
    const bench = next<{ state: string }>('bench');
    h.server.announce.bench('steady');
    expect((await bench).state).toBe('steady');
    const camera = next<{ state: string; reason: string }>('camera');
    h.server.announce.camera('lost', 'read error');
    expect(await camera).toMatchObject({ state: 'lost', reason: 'read error' });
    const selection = next<{ makerName: string }>('selection');
    await lead.post('/api/select', { makerId: 'ben' });
    expect((await selection).makerName).toBe('Ben');
  });

  it('one POST /api/select of product and maker is one selection event', async () => {
    const heard: unknown[] = [];
    const hear = (p: unknown) => heard.push(p);
    socket.on('selection', hear);
    try {
      expect((await lead.post('/api/select', { productId: 'bowl', makerId: 'ana' })).status).toBe(200);
      // One socket delivers in order: once an event sent after the POST has arrived, so has all the POST sent.
      const after = next<{ state: string }>('bench', (p) => p.state === 'waiting-empty');
      h.server.announce.bench('waiting-empty');
      await after;
    } finally {
      socket.off('selection', hear);
    }
    expect(heard).toEqual([{ productId: 'bowl', productName: 'Turned bowl', makerId: 'ana', makerName: 'Ana' }]);
  });
});

describe('/healthz and /metrics', () => {
  it('reports camera, model and database state', async () => {
    h.station.state.camera = 'lost';
    const res = await fetch(`${h.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'degraded', camera: 'lost', modelLoaded: true, db: { ok: true } });
    h.station.state.camera = 'up';
    expect(((await (await fetch(`${h.url}/healthz`)).json()) as { status: string }).status).toBe('ok');
  });

  it('exposes Prometheus text with verdict counters, a latency histogram and camera_up', async () => {
    const row = await addInspection(h, { score: 0.3 });
    h.server.announce.inspection(row, { latencyMs: 30 });
    h.station.state.camera = 'lost';
    const res = await fetch(`${h.url}/metrics`);
    h.station.state.camera = 'up';
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    // Every line is a comment or `name{labels} value`.
    for (const line of text.trimEnd().split('\n')) {
      expect(line).toMatch(/^(# (HELP|TYPE) \w+ .+|[a-z_]+(\{[a-z]+="[^"]*"(,[a-z]+="[^"]*")*\})? -?[\d.e+-]+)$/);
    }
    expect(text).toContain('# TYPE inspections_total counter');
    expect(text).toContain('inspections_total{verdict="fail"} 1');
    expect(text).toContain('inspections_total{verdict="pass"} 1');
    expect(text).toContain('# TYPE inspection_latency_seconds histogram');
    expect(text).toContain('inspection_latency_seconds_bucket{le="0.025"} 0');
    expect(text).toContain('inspection_latency_seconds_bucket{le="0.05"} 1');
    expect(text).toContain('inspection_latency_seconds_bucket{le="0.1"} 2');
    expect(text).toContain('inspection_latency_seconds_bucket{le="+Inf"} 2');
    expect(text).toContain('inspection_latency_seconds_count 2');
    expect(text).toMatch(/inspection_latency_seconds_sum 0\.11\d*/);
    expect(text).toContain('camera_up 0');
  });
});

describe('reference sets', () => {
  it('lists versions newest first with warnings', async () => {
    const body = (await (await lead.get('/api/reference-sets/tile')).json()) as {
      activeVersion: number;
      versions: { version: number; warnings: string[] }[];
    };
    expect(body.activeVersion).toBe(2);
    expect(body.versions.map((v) => v.version)).toEqual([2, 1]);
    expect(body.versions[1].warnings).toEqual(['only 21 good images']);
    expect((await lead.get('/api/reference-sets/vase')).status).toBe(404);
  });

  it('runs a calibration with progress events to leads only, refuses a second one meanwhile, and reports done', async () => {
    const lead$ = <T>(event: string, pred: (p: T) => boolean) => next<T>(event, pred, 5000, leadSocket);
    const progress = lead$<{ status: string; phase: string; done: number }>(
      'calibration',
      (e) => e.status === 'progress' && e.phase === 'embed good',
    );
    expect((await lead.post('/api/reference-sets/tile/calibrate')).status).toBe(202);
    expect((await lead.post('/api/reference-sets/tile/calibrate')).status).toBe(409);
    await new Promise((r) => setTimeout(r, 20));
    h.station.progress!({ phase: 'embed good', done: 3, total: 10 });
    expect((await progress).done).toBe(3);
    const done = lead$<{ status: string; version: number }>('calibration', (e) => e.status !== 'progress');
    h.station.finishCalibration!({ version: 3, imageCount: 22, band: { reviewAt: 0.5, failAt: 0.8 } });
    expect(await done).toMatchObject({ status: 'done', version: 3 });
    // Free again.
    h.station.calibrationError = 'calibration/tile/good: 3 distinct good image(s), at least 10 needed';
    const failed = lead$<{ status: string; error: string }>('calibration', (e) => e.status !== 'progress');
    expect((await lead.post('/api/reference-sets/tile/calibrate')).status).toBe(202);
    expect(await failed).toMatchObject({ status: 'failed', error: expect.stringMatching(/at least 10 needed/) });
    h.station.calibrationError = null;
    // The anonymous dashboard (the bench screen) saw none of it.
    expect(anonymousCalibrationEvents).toEqual([]);
  });

  it('activates (or rolls back to) a stored version and validates the request', async () => {
    const announced = next<{ productId: string; activeVersion: number }>('reference-set');
    const res = await lead.post('/api/reference-sets/tile/activate', { version: 1 });
    expect(res.status).toBe(200);
    expect(h.station.calls).toContain('activate:tile:1');
    expect(await announced).toEqual({ productId: 'tile', activeVersion: 1 });
    expect((await lead.post('/api/reference-sets/tile/activate', { version: 9 })).status).toBe(404);
    expect((await lead.post('/api/reference-sets/tile/activate', { version: '2' })).status).toBe(400);
    h.station.activateError = 'reference set file is damaged';
    const refused = await lead.post('/api/reference-sets/tile/activate', { version: 2 });
    h.station.activateError = null;
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { error: string }).error).toMatch(/damaged/);
  });
});
