// The station end to end, in-process: a folder replay through the camera interface, the presence
// trigger, the real backbone and reference set, SQLite, evidence files, socket.io events, and the
// serial stack light and barcode scanner on socat pty pairs.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFrameSource } from '../../station/capture/index.ts';
import { DEMO_FRAME, DEMO_PRODUCT } from '../../station/demo/demoStation.ts';
import { openStore, type Inspection } from '../../station/store/index.ts';
import { hashPassword } from '../../web/auth/passwords.ts';
import { Client, PASSWORD } from '../server/harness.ts';
import { PtyPeer, startPair, type PtyPair } from '../signals/socatPair.ts';
import { expectedVerdict, makeBench, REPLAY, replayFinished, run, type Bench } from './harness.ts';

let bench: Bench;
beforeAll(async () => {
  // Six items: good, good, defect, good, good, defect.
  bench = await makeBench(6);
});
afterAll(() => rmSync(bench.dataDir, { recursive: true, force: true }));

/** Inspections recorded after `afterId`, oldest first. */
function rowsAfter(afterId: number): Inspection[] {
  const store = openStore(bench.dataDir);
  try {
    return store.inspections
      .list({ limit: 1000 })
      .filter((r) => r.id > afterId)
      .sort((a, b) => a.id - b.id);
  } finally {
    store.close();
  }
}
const lastId = () => rowsAfter(0).at(-1)?.id ?? 0;

describe('station runtime on a folder replay', () => {
  it('inspects each item exactly once with the right verdict, records evidence and announces it', async () => {
    const before = lastId();
    const r = await run(bench);
    try {
      // First start calibrated the product from its calibration folder.
      expect(r.log.lines.some((l) => l.includes('reference set v1'))).toBe(true);
      await replayFinished(r);
      const rows = rowsAfter(before);
      expect(rows.map((x) => x.verdict)).toEqual(bench.items.map(expectedVerdict));
      for (const row of rows) {
        expect(row.productId).toBe(DEMO_PRODUCT);
        expect(row.error).toBeNull();
        expect(row.referenceSetId).not.toBeNull();
        expect(row.score).toBeGreaterThan(0);
        // Verdict agrees with the band recorded with it (strict: a score equal to an edge gets the milder verdict).
        const { reviewAt, failAt } = row.band!;
        expect(row.verdict).toBe(row.score! > failAt ? 'fail' : row.score! > reviewAt ? 'review' : 'pass');
        for (const p of [row.framePath, row.heatmapPath])
          expect(existsSync(path.join(bench.dataDir, 'evidence', p!))).toBe(true);
      }
      // Every committed inspection was announced once, in order, with its heatmap URL.
      await r.live.waitFor('inspection', (p) => p.id === rows.at(-1)!.id);
      const announced = r.live.of('inspection');
      expect(announced.map((p) => p.id)).toEqual(rows.map((x) => x.id));
      expect(announced.every((p) => typeof p.heatmapUrl === 'string' && (p.nearest as unknown[]).length > 0)).toBe(
        true,
      );
      // The bench states went round once per item.
      const inspecting = r.live.of('bench').filter((p) => p.state === 'inspecting');
      expect(inspecting).toHaveLength(bench.items.length);
    } finally {
      await r.close();
    }
  });

  it('records every item of a product with no calibration folder as unjudged, with the reason; a broken folder elsewhere is skipped', async () => {
    const before = lastId();
    const broken = path.join(bench.demo.calibrationDir, 'Broken Folder!');
    mkdirSync(broken, { recursive: true });
    writeFileSync(path.join(broken, 'product.json'), '{"name": ');
    // What a kill between an evidence write and its row leaves: an image no row refers to, and a temp file.
    const orphanDay = path.join(bench.dataDir, 'evidence', '2024-01-02');
    mkdirSync(orphanDay, { recursive: true });
    const orphans = [
      path.join(orphanDay, '1704153600000-frame-0badf00d.jpg'),
      path.join(orphanDay, '.1704153600000-heatmap-1.jpg.tmp-7-0a0b0c0d'),
    ];
    for (const f of orphans) writeFileSync(f, 'left by a kill');
    try {
      const r = await run(bench, { product: 'walnut board' });
      try {
        for (const f of orphans) expect(existsSync(f)).toBe(false);
        expect(r.log.lines).toContain(
          'info removed 1 evidence image(s) without an inspection row and 1 temp file(s) left by an interrupted run',
        );
        await replayFinished(r);
        const rows = rowsAfter(before);
        expect(rows).toHaveLength(bench.items.length);
        for (const row of rows) {
          expect(row).toMatchObject({ productId: 'walnut board', verdict: 'unjudged', score: null });
          expect(row.error).toBe(
            `product 'walnut board' has no calibration folder: add ${path.join(bench.demo.calibrationDir, 'walnut board', 'product.json')} and good/ images, then calibrate it`,
          );
          expect(existsSync(path.join(bench.dataDir, 'evidence', row.framePath!))).toBe(true);
        }
        const log = r.log.lines.join('\n');
        expect(log).toContain(`info data folder ${bench.dataDir}; calibration folder ${bench.demo.calibrationDir}`);
        expect(log).toContain(`info products: ${DEMO_PRODUCT}`);
        expect(log).toMatch(/warn skipping calibration folder 'Broken Folder!': /);
        expect(log).toMatch(
          /warn product 'walnut board' has no calibration folder .* items will be recorded as unjudged/,
        );
        expect(log).not.toMatch(/could not be recorded/);
        // The replay does not loop: its end is logged and the health check says so.
        await expect
          .poll(() =>
            r.log.lines.includes(
              'info the replay has played its last item (it does not loop): no more frames will come',
            ),
          )
          .toBe(true);
        expect(await (await fetch(new URL('/healthz', r.station.url))).json()).toMatchObject({
          camera: 'ended',
          status: 'degraded',
        });
      } finally {
        await r.close();
      }
    } finally {
      rmSync(broken, { recursive: true, force: true });
    }
  });

  it('reports a camera that drops out midway, recovers, and inspects nothing from the outage', async () => {
    const before = lastId();
    const frames = (ms: number) => Math.round((ms * REPLAY.fps) / 1000);
    // The timeline is counted in frames: item 1 appears at frame gap + hold + gap. Drop out two frames later,
    // while it is still settling, for 1.5 s: it must be inspected once after recovery.
    const item1 = 2 * frames(REPLAY.gapMs) + frames(REPLAY.holdMs);
    const source = createFrameSource({
      kind: 'folder',
      folder: bench.demo.replayDir,
      emptyImage: bench.demo.emptyBench,
      width: DEMO_FRAME,
      height: DEMO_FRAME,
      loop: false,
      ...REPLAY,
      failure: { afterFrames: item1 + 2, forMs: 1500 },
    });
    const r = await run(bench, {}, { source });
    try {
      const lost = await r.live.waitFor('camera', (p) => p.state === 'lost');
      expect(String(lost.reason)).toMatch(/dropped out/);
      // While lost the station keeps serving and says so: health and metrics.
      const health = await fetch(new URL('/healthz', r.station.url));
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'degraded', camera: 'lost' });
      expect(await (await fetch(new URL('/metrics', r.station.url))).text()).toMatch(/^camera_up 0$/m);
      const back = await r.live.waitFor('camera', (p) => p.state === 'up');
      expect(await (await fetch(new URL('/metrics', r.station.url))).text()).toMatch(/^camera_up 1$/m);
      await replayFinished(r);
      // A replay that does not loop has ended: no longer up.
      expect(await (await fetch(new URL('/metrics', r.station.url))).text()).toMatch(/^camera_up 0$/m);

      const rows = rowsAfter(before);
      expect(rows.map((x) => x.verdict)).toEqual(bench.items.map(expectedVerdict));
      const [lostAt, backAt] = [Number(lost.at), Number(back.at)];
      expect(backAt).toBeGreaterThan(lostAt);
      expect(rows.filter((x) => x.inspectedAt > lostAt && x.inspectedAt < backAt)).toEqual([]);
      expect(r.log.lines.some((l) => l.startsWith('warn camera lost'))).toBe(true);
    } finally {
      await r.close();
    }
  });

  it('inspects again on a manual trigger from a signed-in user, and refuses one without a login', async () => {
    // One good item that stays on the bench long enough to ask for a second look.
    const folder = mkdtempSync(path.join(tmpdir(), 'station-manual-'));
    copyFileSync(path.join(bench.demo.replayDir, bench.items[0]), path.join(folder, bench.items[0]));
    const store = openStore(bench.dataDir);
    if (!store.users.get('bench'))
      store.users.create({ name: 'bench', passwordHash: await hashPassword(PASSWORD), role: 'viewer' });
    store.close();
    const source = createFrameSource({
      kind: 'folder',
      folder,
      emptyImage: bench.demo.emptyBench,
      width: DEMO_FRAME,
      height: DEMO_FRAME,
      loop: false,
      ...REPLAY,
      holdMs: 15_000,
    });
    const before = lastId();
    const r = await run(bench, {}, { source });
    try {
      await r.live.waitFor('inspection', (p) => p.id === before + 1);
      const client = new Client(r.station.url.replace(/\/$/, ''));
      await client.session(); // a CSRF token but no login
      expect((await client.post('/api/trigger')).status).toBe(401);
      expect((await client.login('bench')).ok).toBe(true);
      expect((await client.post('/api/trigger')).status).toBeLessThan(300);
      const again = await r.live.waitFor('inspection', (p) => p.id === before + 2);
      expect(again.verdict).toBe('pass');
      await replayFinished(r);
      // Still one automatic inspection per placed item: the manual one is the only extra.
      expect(rowsAfter(before)).toHaveLength(2);
    } finally {
      await r.close();
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it("runs a lead's recalibration in a process of its own at lower priority while the bench goes on inspecting", async () => {
    const store = openStore(bench.dataDir);
    if (!store.users.get('lead'))
      store.users.create({ name: 'lead', passwordHash: await hashPassword(PASSWORD), role: 'lead' });
    store.close();
    const before = lastId();
    const r = await run(bench);
    try {
      await r.live.waitFor('inspection', (p) => p.id === before + 1);
      const lead = new Client(r.station.url.replace(/\/$/, ''));
      expect((await lead.login('lead')).ok).toBe(true);
      type Sets = { activeVersion: number; versions: { version: number }[]; calibration: unknown };
      const sets = async () => (await (await lead.get(`/api/reference-sets/${DEMO_PRODUCT}`)).json()) as Sets;
      const { activeVersion, versions } = await sets();
      expect((await lead.post(`/api/reference-sets/${DEMO_PRODUCT}/calibrate`)).status).toBe(202);
      await expect.poll(async () => (await sets()).calibration, { timeout: 240_000, interval: 500 }).toBeNull();
      const after = await sets();
      const built = Math.max(...versions.map((v) => v.version)) + 1;
      expect(after.versions.map((v) => v.version)).toContain(built);
      expect(after.activeVersion).toBe(activeVersion); // stored, not activated
      expect(r.log.lines).toContain(`info calibration of ${DEMO_PRODUCT} stored version ${built}`);
      const pid = Number(
        /calibration of \S+ running in process (\d+) at lower priority/.exec(r.log.lines.join('\n'))?.[1],
      );
      expect(pid).toBeGreaterThan(0);
      expect(pid).not.toBe(process.pid);
      await replayFinished(r);
      expect(rowsAfter(before).map((x) => x.verdict)).toEqual(bench.items.map(expectedVerdict));
    } finally {
      await r.close();
    }
  }, 300_000);

  describe('with a serial stack light and barcode scanner', () => {
    let light: PtyPair;
    let scanner: PtyPair;
    let dir: string;
    beforeAll(async () => {
      dir = mkdtempSync(path.join(tmpdir(), 'station-serial-'));
      light = await startPair(path.join(dir, 'light'), path.join(dir, 'light-board'));
      scanner = await startPair(path.join(dir, 'scanner'), path.join(dir, 'scanner-device'));
      // A second product with no reference set yet, and a maker with a badge.
      const glossy = path.join(bench.demo.calibrationDir, 'glossy-tile');
      mkdirSync(glossy, { recursive: true });
      writeFileSync(path.join(glossy, 'product.json'), JSON.stringify({ name: 'Glossy tile' }));
      const store = openStore(bench.dataDir);
      store.makers.upsert({ id: 'ben', name: 'Ben' });
      store.close();
    });
    afterAll(async () => {
      await light.stop();
      await scanner.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    it('logs junk codes escaped, once each, a few a minute; a lost scanner degrades /healthz and reaches the dashboard', async () => {
      const own = await startPair(path.join(dir, 'scanner2'), path.join(dir, 'scanner2-device'));
      const scan = new PtyPeer(own.b);
      const r = await run(bench, {
        stackLight: { path: light.a, baudRate: 9600 },
        barcode: { path: own.a, baudRate: 9600 },
      });
      try {
        const health = async () =>
          (await (await fetch(new URL('/healthz', r.station.url))).json()) as {
            status: string;
            devices: Record<string, string>;
          };
        await expect
          .poll(async () => (await health()).devices, { timeout: 10_000 })
          .toEqual({ 'stack light': 'connected', 'barcode scanner': 'connected' });
        for (let i = 0; i < 20; i++) scan.write(`\x1b]0;owned\x07\x1b[2Jjunk-${i}\n`);
        const unknown = () => r.log.lines.filter((l) => l.includes('unknown code'));
        await expect.poll(() => unknown().length, { timeout: 10_000 }).toBe(5);
        await new Promise((res) => setTimeout(res, 500));
        expect(unknown()).toHaveLength(5); // not 20, not 40
        expect(unknown()[0]).toContain('unknown code "\\x1b]0;owned\\x07\\x1b[2Jjunk-0"');
        expect(r.log.lines.join('\n')).not.toMatch(/[\x00-\x08\x0b-\x1f]/);

        await own.stop();
        const lost = await r.live.waitFor('devices', (d) => d['barcode scanner'] === 'disconnected', 10_000);
        expect(lost).toEqual({ 'stack light': 'connected', 'barcode scanner': 'disconnected' });
        expect(await health()).toMatchObject({ status: 'degraded', devices: { 'barcode scanner': 'disconnected' } });
      } finally {
        scan.close();
        await own.stop();
        await r.close();
      }
    });

    it('shows each verdict on the light, and scanned badges and product codes change the selection', async () => {
      const board = new PtyPeer(light.b);
      const scan = new PtyPeer(scanner.b);
      const before = lastId();
      const r = await run(bench, {
        stackLight: { path: light.a, baudRate: 9600 },
        barcode: { path: scanner.a, baudRate: 9600 },
      });
      try {
        // After the first item, a maker badge; after the second, another product's code.
        await r.live.waitFor('inspection', (p) => p.id === before + 1);
        scan.write('M:ben\n');
        await r.live.waitFor('selection', (p) => p.makerId === 'ben');
        await r.live.waitFor('inspection', (p) => p.id === before + 2);
        scan.write('P:glossy-tile\n');
        await r.live.waitFor('selection', (p) => p.productId === 'glossy-tile');
        await replayFinished(r);

        const rows = rowsAfter(before);
        expect(rows).toHaveLength(bench.items.length);
        expect(rows.map((x) => x.makerId)).toEqual([null, 'ben', 'ben', 'ben', 'ben', 'ben']);
        expect(rows.map((x) => x.productId)).toEqual([DEMO_PRODUCT, DEMO_PRODUCT, ...Array(4).fill('glossy-tile')]);
        // A product without a reference set is never passed: recorded as unjudged, with the reason.
        expect(rows.slice(2).every((x) => x.verdict === 'unjudged' && /reference set/.test(x.error ?? ''))).toBe(true);

        const verdictLines = rows.map(
          (x) => ({ pass: 'PASS', review: 'REVIEW', fail: 'FAIL', unjudged: 'FAULT' })[x.verdict],
        );
        await board.waitFor(
          (t) => t.split('\n').filter((l) => l !== 'IDLE' && l !== 'BUSY').length >= rows.length,
          'all verdict lines',
          10_000,
        );
        const lines = board.lines();
        expect(lines[0]).toBe('IDLE');
        // Each verdict line comes right after the BUSY of its item.
        const shown = lines.flatMap((l, i) => (l !== 'IDLE' && l !== 'BUSY' ? [[lines[i - 1], l]] : []));
        expect(shown).toEqual(verdictLines.map((v) => ['BUSY', v]));
      } finally {
        board.close();
        scan.close();
        await r.close();
      }
    });
  });
});
