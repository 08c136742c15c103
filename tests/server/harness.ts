// A real station server for tests: listening on 127.0.0.1, a real SQLite store in a temp folder,
// and a StationControl test double (no camera exists here) that records what was asked of it. The double's
// selection announces each change once, wired as station/app.ts wires the real one.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { openStore, writeEvidence, type Store } from '../../station/store/index.ts';
import { createServer, type StationServer } from '../../station/server/index.ts';
import type {
  CalibrationOutcome,
  CalibrationProgress,
  StationControl,
  StationState,
} from '../../station/server/types.ts';
import { hashPassword } from '../../web/auth/passwords.ts';
import type { AuthOptions } from '../../station/server/auth/index.ts';

export const PASSWORD = 'correct horse battery';

export class FakeStation implements StationControl {
  state: StationState = {
    bench: 'empty',
    camera: 'up',
    productId: 'tile',
    makerId: 'ana',
    modelLoaded: true,
    devices: {},
    network: null,
  };
  calls: string[] = [];
  frame: Buffer | null = null;
  /** Set to make the next calibration fail with this message. */
  calibrationError: string | null = null;
  /** Resolves the running calibration; tests call it to finish. */
  finishCalibration: ((o: CalibrationOutcome) => void) | null = null;
  progress: ((p: CalibrationProgress) => void) | null = null;
  activateError: string | null = null;
  private selectionListeners: ((productId: string | null, makerId: string | null) => void)[] = [];

  currentState() {
    return { ...this.state };
  }
  manualTrigger() {
    this.calls.push('trigger');
    if (this.state.camera === 'lost') throw new Error('the camera is lost');
  }
  /** As the real selection (station/runtime/selection.ts): one change, its listeners called once. */
  select(change: { productId?: string; makerId?: string | null }) {
    this.calls.push(`select:${JSON.stringify(change)}`);
    if (change.productId !== undefined) this.state.productId = change.productId;
    if (change.makerId !== undefined) this.state.makerId = change.makerId;
    for (const l of this.selectionListeners) l(this.state.productId, this.state.makerId);
  }
  onSelectionChange(listener: (productId: string | null, makerId: string | null) => void) {
    this.selectionListeners.push(listener);
  }
  startCalibration(productId: string, onProgress: (p: CalibrationProgress) => void): Promise<CalibrationOutcome> {
    this.calls.push(`calibrate:${productId}`);
    this.progress = onProgress;
    if (this.calibrationError) return Promise.reject(new Error(this.calibrationError));
    return new Promise((resolve) => (this.finishCalibration = resolve));
  }
  activateReferenceSet(productId: string, version: number) {
    this.calls.push(`activate:${productId}:${version}`);
    if (this.activateError) throw new Error(this.activateError);
  }
  latestFrameJpeg() {
    return this.frame;
  }
}

export const silentLog = { info() {}, warn() {}, error() {} };

export async function jpeg(width = 64, height = 48, rgb: [number, number, number] = [180, 120, 90]): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } })
    .jpeg()
    .toBuffer();
}

export interface Harness<S extends StationControl = FakeStation> {
  url: string;
  port: number;
  root: string;
  dataDir: string;
  calibrationDir: string;
  store: Store;
  station: S;
  server: StationServer;
  close(): Promise<void>;
}

export interface HarnessOptions<S> extends AuthOptions {
  trustProxy?: boolean;
  dashboardDir?: string;
  /** Builds the StationControl (default: a FakeStation). */
  station?: (ctx: { store: Store; dataDir: string; calibrationDir: string }) => S;
}

export async function startHarness<S extends StationControl = FakeStation>(
  opts: HarnessOptions<S> = {},
): Promise<Harness<S>> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'server-test-'));
  const dataDir = path.join(root, 'data');
  const calibrationDir = path.join(root, 'calibration');
  mkdirSync(calibrationDir, { recursive: true });
  const store = openStore(dataDir);
  const { station: makeStation, ...serverOpts } = opts;
  const station = (makeStation ? makeStation({ store, dataDir, calibrationDir }) : new FakeStation()) as S;
  const server = createServer({ store, dataDir, calibrationDir, station, log: silentLog, ...serverOpts });
  // As station/app.ts: the selection's change is announced by the composition, not by the route.
  if (station instanceof FakeStation) station.onSelectionChange((p, m) => server.announce.selection(p, m));
  const { port } = await server.listen(0, '127.0.0.1');
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    root,
    dataDir,
    calibrationDir,
    store,
    station,
    server,
    async close() {
      await server.close();
      store.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Products, makers, an active reference set, and users lead1 (lead) and bench (viewer). */
export async function seed(h: Harness<StationControl>) {
  const { store } = h;
  store.products.upsert({ id: 'tile', name: 'Glazed tile' });
  store.products.upsert({ id: 'bowl', name: 'Turned bowl' });
  store.makers.upsert({ id: 'ana', name: 'Ana' });
  store.makers.upsert({ id: 'ben', name: 'Ben' });
  for (const v of [1, 2]) {
    store.referenceSets.addVersion({
      productId: 'tile',
      filePath: `refsets/tile/v${v}.refset`,
      modelSha256: 'a'.repeat(64),
      imageCount: 20 + v,
      band: { reviewAt: 0.5, failAt: 0.8 },
      report: { warnings: [`only ${20 + v} good images`] },
    });
  }
  store.referenceSets.activate('tile', 2);
  const hash = await hashPassword(PASSWORD);
  store.users.create({ name: 'lead1', passwordHash: hash, role: 'lead' });
  store.users.create({ name: 'bench', passwordHash: hash, role: 'viewer' });
}

/** Record an inspection with real evidence files; verdict follows the seeded band. */
export interface InspectionSeed {
  score: number;
  makerId?: string | null;
  productId?: string;
  at?: number;
  frame?: Buffer;
  heatmap?: Buffer;
  nearest?: { fileName: string; distance: number }[];
}

export async function addInspection(h: Harness<StationControl>, o: InspectionSeed) {
  const at = o.at ?? Date.now();
  const framePath = await writeEvidence(h.dataDir, {
    inspectedAt: at,
    kind: 'frame',
    jpeg: o.frame ?? (await jpeg(64, 48, [100 + (Math.round(o.score * 100) % 150), 90, 80])),
  });
  const heatmapPath = await writeEvidence(h.dataDir, {
    inspectedAt: at,
    kind: 'heatmap',
    jpeg: o.heatmap ?? (await jpeg(64, 48, [200, 40, 40])),
  });
  const verdict = o.score >= 0.8 ? 'fail' : o.score >= 0.5 ? 'review' : 'pass';
  const productId = o.productId ?? 'tile';
  return h.store.inspections.record({
    inspectedAt: at,
    productId,
    makerId: o.makerId === undefined ? 'ana' : o.makerId,
    referenceSetId: h.store.referenceSets.active(productId)?.id ?? null,
    score: o.score,
    verdict,
    band: { reviewAt: 0.5, failAt: 0.8 },
    timings: { total: 42 },
    nearest: o.nearest ?? [{ fileName: 'good-01.png', distance: 0.12 }],
    framePath,
    heatmapPath,
  });
}

/** A cookie-keeping client speaking JSON, like a browser tab. */
export class Client {
  cookie = '';
  csrf = '';
  constructor(readonly base: string) {}

  async request(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
    const res = await fetch(this.base + url, {
      method,
      redirect: 'manual',
      headers: {
        ...(this.cookie ? { Cookie: this.cookie } : {}),
        ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const set = res.headers.get('set-cookie');
    if (set) this.cookie = set.split(';')[0];
    return res;
  }
  get(url: string) {
    return this.request('GET', url);
  }
  /** POST with the session's CSRF token (the way the dashboard does it). */
  post(url: string, body: unknown = {}) {
    return this.request('POST', url, body, this.csrf ? { 'X-CSRF-Token': this.csrf } : {});
  }
  async session() {
    const res = await this.get('/api/session');
    const json = (await res.json()) as { csrfToken: string; user: unknown };
    this.csrf = json.csrfToken;
    return json;
  }
  async login(name: string, password = PASSWORD) {
    await this.session();
    const res = await this.post('/api/login', { name, password });
    if (res.ok) this.csrf = ((await res.clone().json()) as { csrfToken: string }).csrfToken;
    return res;
  }
}

/** A GET with the path sent byte for byte (fetch would normalise ../ away). */
export function rawGet(port: number, rawPath: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'GET', path: rawPath }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}
