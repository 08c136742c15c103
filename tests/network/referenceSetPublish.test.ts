/**
 * One standard for every bench (issue 17, part 3), on real parts: a private Mosquitto and PostgreSQL on free ports,
 * the hub as `npm run hub` starts it, stations as their runtime composes them (store, publisher with its commands
 * subscription, command handler with the bench check in a child process on the real backbone).
 *
 * A source bench calibrates a product; its version (file inside) reaches the hub. The lead publishes it to two benches,
 * which keep it inactive and check it on their own good images; the lead activates it on one; the hub shows which
 * set each bench runs. A file altered on the way and a file for a backbone a bench lacks are refused with the reason
 * and nothing is stored; a bench offline when the set is sent gets it when it comes back.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { benchReferenceSets, type BenchProduct } from '../../hub/db/benches.ts';
import { type Hub, startHub } from '../../hub/hub.ts';
import { parseHubConfig } from '../../hub/config.ts';
import { type Broker, startBroker } from '../../hub/local/mosquitto.ts';
import { type Postgres, startPostgres } from '../../hub/local/postgres.ts';
import { DEFAULT_BACKBONE, generatedManifestPath } from '../../models/load.ts';
import { calibrateProduct } from '../../station/calibrate/run.ts';
import { calibrationEngines } from '../../station/calibrate/visionEngine.ts';
import { writeSampleProduct } from '../../station/demo/generate.ts';
import { enginePool, type EnginePool } from '../../station/engines/pool.ts';
import { commandMessage } from '../../station/network/commands.ts';
import type { EventData } from '../../station/network/messages.ts';
import { startPublisher, type Publisher } from '../../station/network/publisher.ts';
import { commandsTopic } from '../../station/network/topics.ts';
import { storeReferenceSetBytes } from '../../station/referenceSets/importSet.ts';
import { activateVersion, refsetFile } from '../../station/referenceSets/versions.ts';
import { commandHandler, type CommandHandler } from '../../station/runtime/commands.ts';
import { openStore, type Store } from '../../station/store/index.ts';
import { judgeInspection } from '../../station/verdict/scoreModel.ts';
import { decodeReferenceSet, encodeReferenceSet } from '../../station/vision/referenceSet.ts';
import { Clients } from './mqttClients.ts';
import { HubClient, LEAD } from '../hub/harness.ts';
import { hubUsers } from '../../hub/db/users.ts';
import { hashPassword } from '../../web/auth/passwords.ts';

const PRODUCT = 'tile';
const MANIFEST = generatedManifestPath(DEFAULT_BACKBONE);
const HUB_PASSWORD = 'hub-secret';
const IDS = ['source', 'bench-a', 'bench-b'] as const;
type Id = (typeof IDS)[number];

const root = mkdtempSync(path.join(tmpdir(), 'refpub-'));
// Each service in a folder of its own, handed to its system user when run as root (the shared root stays private).
const brokerDir = mkdtempSync(path.join(tmpdir(), 'refpub-broker-'));
const pgDir = mkdtempSync(path.join(tmpdir(), 'refpub-postgres-'));
let broker: Broker | undefined;
let pg: Postgres | undefined;
let hub: Hub | undefined;
let pool: EnginePool;
const clients = new Clients(() => broker!.url);

interface Bench {
  id: Id;
  store: Store;
  calibrationDir: string;
  commands: CommandHandler;
  publisher: Publisher;
  warnings: string[];
}
const benches = new Map<Id, Bench>();
const bench = (id: Id) => benches.get(id)!;

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const slow = { timeoutMs: 120_000 };

function connect(b: Omit<Bench, 'publisher' | 'commands'>): Bench {
  const log = { info: () => {}, warn: (m: string) => void b.warnings.push(m) };
  const commands = commandHandler({
    store: b.store,
    calibrationDir: b.calibrationDir,
    dataDir: b.store.dataDir,
    modelManifest: MANIFEST,
    hasBackbone: pool.hasBackbone,
    activate: (id, version) => void activateVersion(b.store, id, version),
    log,
  });
  const publisher = startPublisher({
    store: b.store,
    stationId: b.id,
    url: broker!.url,
    username: b.id,
    password: `${b.id}-secret`,
    onCommand: commands.handle,
    log,
  });
  return { ...b, commands, publisher };
}

async function openBench(id: Id, good: { seed: number; count: number }): Promise<Bench> {
  const calibrationDir = path.join(root, id, 'calibration');
  const dir = path.join(calibrationDir, PRODUCT);
  await writeSampleProduct(dir, {
    kind: 'glazed-tile',
    goodCount: good.count,
    defectCount: 0,
    seed: good.seed,
    size: 160,
  });
  writeFileSync(path.join(dir, 'product.json'), JSON.stringify({ name: 'Glazed tile', coresetSize: 600 }));
  const store = openStore(path.join(root, id, 'data'));
  store.products.upsert({ id: PRODUCT, name: 'Glazed tile' });
  const b = connect({ id, store, calibrationDir, warnings: [] });
  benches.set(id, b);
  return b;
}

// A lead signed in to the hub, as the dashboard's Reference sets page is.
let lead: HubClient;
const api = async (route: string, body?: unknown) => {
  const path = `/api/reference-sets${route}`;
  const res = body === undefined ? await lead.get(path) : await lead.post(path, body);
  return { status: res.status, body: await res.json() };
};

const view = async (): Promise<BenchProduct[]> => benchReferenceSets(hub!.pool);
const delivery = async (sha: string, station: Id) =>
  (await view()).find((v) => v.stationId === station)?.deliveries.find((d) => d.sha256 === sha);

async function until<T>(what: string, read: () => Promise<T | undefined>, ok: (v: T) => boolean): Promise<T> {
  let last: T | undefined;
  const deadline = Date.now() + slow.timeoutMs;
  for (;;) {
    last = await read();
    if (last !== undefined && ok(last)) return last;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const hubHolds = (sha: string) =>
  until(
    `the hub to hold ${sha.slice(0, 12)}`,
    async () => (await hub!.pool.query('SELECT 1 FROM reference_set_files WHERE sha256 = $1', [sha])).rowCount,
    (n) => n === 1,
  );

const files = (b: Bench) => {
  const dir = path.join(b.store.dataDir, 'reference-sets', PRODUCT);
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
};

/** What the bench's engine says of its own good images, judged as an inspection is (in this process). */
async function verdictsHere(b: Bench, version: number) {
  const row = b.store.referenceSets.getVersion(PRODUCT, version)!;
  const set = decodeReferenceSet(readFileSync(refsetFile(b.store.dataDir, row.filePath)));
  const engine = pool.engineForSet(set);
  const judging = set.judging!;
  const band = { reviewAt: judging.band.reviewAt, failAt: judging.band.failAt, scoreModel: judging.scoreModel };
  const dir = path.join(b.calibrationDir, PRODUCT, 'good');
  const out: { name: string; verdict: string; embedding: Float32Array }[] = [];
  for (const name of readdirSync(dir).sort()) {
    const r = await engine.inspect(readFileSync(path.join(dir, name)), name, set);
    const j = judgeInspection({ score: r.score, patchScores: r.patchScores, contentMask: r.scoredMask }, band);
    out.push({ name, verdict: j.verdict, embedding: r.embedding.imageEmbedding });
  }
  return out;
}

let published: string; // the source's calibrated set

beforeAll(async () => {
  [broker, pg] = await Promise.all([
    startBroker({
      dir: brokerDir,
      hub: { password: HUB_PASSWORD },
      stations: IDS.map((id) => ({ id, password: `${id}-secret` })),
    }),
    startPostgres({ dir: pgDir }),
  ]);
  writeFileSync(path.join(root, 'hub-password'), HUB_PASSWORD);
  const config = parseHubConfig(
    {
      broker: { url: broker.url, passwordFile: 'hub-password' },
      database: { url: pg.connectionString },
      server: { host: '127.0.0.1', port: 0 },
    },
    'test hub config',
    root,
  );
  hub = await startHub(config, { info: () => {}, warn: () => {} }, { clientId: 'hub-refpub-test' });
  await hub.ingest.ready;
  await hubUsers(hub.pool).create({ name: LEAD.name, passwordHash: await hashPassword(LEAD.password), role: 'lead' });
  lead = new HubClient(hub.url);
  expect((await lead.login()).status).toBe(200);
  pool = await enginePool(MANIFEST, { threads: 1 });

  // The source bench calibrates; bench A holds other good items of the product, plus two of the source's own photos
  // (the check must leave those out); bench B other items again.
  const source = await openBench('source', { seed: 7, count: 10 });
  await calibrateProduct({
    productId: PRODUCT,
    calibrationDir: source.calibrationDir,
    store: source.store,
    engineFor: calibrationEngines(pool).engineFor,
    bootstrap: 200,
  });
  const a = await openBench('bench-a', { seed: 11, count: 6 });
  for (const name of ['good-000.png', 'good-001.png'])
    copyFileSync(
      path.join(source.calibrationDir, PRODUCT, 'good', name),
      path.join(a.calibrationDir, PRODUCT, 'good', `from-source-${name}`),
    );
  await openBench('bench-b', { seed: 13, count: 7 });
  const row = source.store.referenceSets.active(PRODUCT)!;
  published = sha256(readFileSync(refsetFile(source.store.dataDir, row.filePath)));
  await hubHolds(published);
  // A lead publishes to benches the hub has seen: their birth messages.
  await until(
    'every bench online at the hub',
    async () => (await hub!.pool.query('SELECT count(*)::int AS n FROM stations WHERE online')).rows[0].n,
    (n) => n === IDS.length,
  );
}, 300_000);

afterAll(async () => {
  await clients.endAll();
  for (const b of benches.values()) {
    await b.publisher.close().catch(() => undefined);
    await b.commands.idle();
    b.store.close();
  }
  await pool?.close();
  await hub?.close();
  await broker?.stop();
  await pg?.stop();
  for (const dir of [root, brokerDir, pgDir]) rmSync(dir, { recursive: true, force: true });
}, 120_000);

describe('the hub holds what benches calibrate', () => {
  it("keeps the source's file by its sha256, with its product, source station and version", async () => {
    const r = await hub!.pool.query(
      'SELECT product_id, source_station, source_version, bytes FROM reference_set_files WHERE sha256 = $1',
      [published],
    );
    const source = bench('source');
    const row = source.store.referenceSets.active(PRODUCT)!;
    expect(r.rows[0]).toMatchObject({ product_id: PRODUCT, source_station: 'source', source_version: row.version });
    expect(Buffer.compare(r.rows[0].bytes, readFileSync(refsetFile(source.store.dataDir, row.filePath)))).toBe(0);
    // The event log keeps the version, not a second copy of the file.
    const logged = await hub!.pool.query(
      `SELECT data FROM events WHERE station_id = 'source' AND kind = 'reference_set_version'`,
    );
    expect(logged.rows[0].data).toMatchObject({ sha256: published, version: row.version });
    expect(logged.rows[0].data.file).toBeUndefined();
  });
});

describe('publish, check, activate', () => {
  it('both benches keep it inactive, check it on their own good images and report the false-alarm rate', async () => {
    const res = await api('/publish', { sha256: published, stations: ['bench-a', 'bench-b'] });
    expect(res).toMatchObject({ status: 202, body: { productId: PRODUCT, sentTo: ['bench-a', 'bench-b'] } });

    for (const id of ['bench-a', 'bench-b'] as const) {
      const d = await until(
        `${id}'s check`,
        () => delivery(published, id),
        (x) => x.state === 'checked',
      );
      const b = bench(id);
      const rows = b.store.referenceSets.list(PRODUCT);
      expect(rows).toHaveLength(1);
      expect(rows[0].isActive).toBe(false);
      expect(sha256(readFileSync(refsetFile(b.store.dataDir, rows[0].filePath)))).toBe(published);
      expect(d.localVersion).toBe(rows[0].version);

      // The same images scored in this process: the child's figures must match them.
      const here = await verdictsHere(b, rows[0].version);
      const set = decodeReferenceSet(readFileSync(refsetFile(b.store.dataDir, rows[0].filePath)));
      const copied = here.filter((h) => h.name.startsWith('from-source-'));
      const unseen = here.filter((h) => !h.name.startsWith('from-source-'));
      const flagged = unseen.filter((h) => h.verdict === 'review' || h.verdict === 'fail').length;
      const failed = unseen.filter((h) => h.verdict === 'fail').length;
      expect(d.check).toMatchObject({
        checked: true,
        reason: null,
        goodImages: unseen.length,
        falseAlarmRate: flagged / unseen.length,
        failRate: failed / unseen.length,
      });
      const event = (
        await hub!.pool.query(
          `SELECT data FROM events WHERE station_id = $1 AND kind = 'reference_set_checked' ORDER BY seq DESC LIMIT 1`,
          [id],
        )
      ).rows[0].data as EventData<'reference_set_checked'>;
      expect(event.inSet).toBe(copied.length);
      expect(copied.length).toBe(id === 'bench-a' ? 2 : 0);
      // The expected range is the band's own target rates on this many images; ok says whether the bench is inside.
      const rates = set.judging!.band.rates;
      const [lo, hi] = event.expected!.falseAlarmRate;
      expect(lo).toBeLessThanOrEqual(rates.failRate + rates.reviewRate);
      expect(hi).toBeGreaterThanOrEqual(rates.failRate + rates.reviewRate);
      expect(event.ok).toBe(event.falseAlarmRate! <= hi && event.failRate! <= event.expected!.failRate[1]);
    }
  }, 300_000);

  it('activating on one bench makes it judge by the set; the hub shows which set each bench runs', async () => {
    const res = await api('/activate', { sha256: published, station: 'bench-a' });
    expect(res).toMatchObject({ status: 202, body: { station: 'bench-a', productId: PRODUCT, version: 1 } });
    await until(
      'bench-a active',
      () => delivery(published, 'bench-a'),
      (d) => d.state === 'active',
    );
    expect(bench('bench-a').store.referenceSets.active(PRODUCT)?.version).toBe(1);
    expect(bench('bench-b').store.referenceSets.active(PRODUCT)).toBeUndefined();

    const shown = await view();
    const row = (id: Id) => shown.find((v) => v.stationId === id && v.productId === PRODUCT);
    expect(row('bench-a')?.active).toEqual({ version: 1, sha256: published });
    expect(row('bench-b')?.active).toBeNull();
    expect(row('bench-b')?.deliveries.map((d) => d.state)).toEqual(['checked']);
    expect(row('source')?.active?.sha256).toBe(published);
    // The same view over HTTP, for the dashboard.
    expect((await api('/benches')).body).toEqual(JSON.parse(JSON.stringify(shown)));
  });

  it('refuses what it cannot do, with the reason', async () => {
    expect(await api('/publish', { sha256: 'ab'.repeat(32), stations: ['bench-a'] })).toMatchObject({
      status: 404,
      body: { error: expect.stringMatching(/no reference set with sha256 abab.* has reached the hub/) },
    });
    expect(await api('/publish', { sha256: published, stations: ['bench-z'] })).toMatchObject({
      status: 404,
      body: { error: 'unknown station(s): bench-z (never seen by the hub)' },
    });
    expect(await api('/publish', { sha256: 'nope', stations: [] })).toMatchObject({ status: 400 });
  });
});

describe('what a bench refuses (nothing is stored)', () => {
  it('a file altered on the way: its bytes are not the announced sha256', async () => {
    const a = bench('bench-a');
    const before = { rows: a.store.referenceSets.list(PRODUCT), files: files(a) };
    const r = await hub!.pool.query('SELECT bytes FROM reference_set_files WHERE sha256 = $1', [published]);
    const good: Buffer = r.rows[0].bytes;
    const altered = Buffer.from(good);
    altered[altered.length - 5] ^= 0x40; // one bit of the bank
    await hub!.pool.query('UPDATE reference_set_files SET bytes = $2 WHERE sha256 = $1', [published, altered]);
    try {
      expect((await api('/publish', { sha256: published, stations: ['bench-a'] })).status).toBe(202);
      const d = await until(
        'the refusal',
        () => delivery(published, 'bench-a'),
        (x) => x.state === 'refused',
      );
      expect(d.reason).toMatch(
        /reference set [0-9a-f]{12}… for product 'tile' from the workshop hub: the file's sha256 is [0-9a-f]{12}…, not the announced one: it was damaged or altered on the way; refused/,
      );
      expect(a.warnings.some((w) => w.includes('damaged or altered on the way'))).toBe(true);
    } finally {
      await hub!.pool.query('UPDATE reference_set_files SET bytes = $2 WHERE sha256 = $1', [published, good]);
    }
    expect(a.store.referenceSets.list(PRODUCT)).toEqual(before.rows);
    expect(files(a)).toEqual(before.files);
  });

  it("a file whose own checksum fails, announced under its own sha256 (the file's checksum catches it)", async () => {
    const a = bench('bench-a');
    const before = { rows: a.store.referenceSets.list(PRODUCT), files: files(a) };
    const r = await hub!.pool.query('SELECT bytes FROM reference_set_files WHERE sha256 = $1', [published]);
    const altered = Buffer.from(r.rows[0].bytes as Buffer);
    altered[altered.length - 5] ^= 0x40;
    const sha = sha256(altered);
    // Sent by hand as the hub, so the outer sha256 matches the altered bytes.
    const asHub = await clients.connect('hub', HUB_PASSWORD);
    const command = commandMessage.parse({
      v: 1,
      kind: 'publish_reference_set',
      at: Date.now(),
      data: {
        productId: PRODUCT,
        sha256: sha,
        band: { reviewAt: 1, failAt: 2 },
        backbone: { id: null, sha256: 'x' },
        file: altered.toString('base64'),
      },
    });
    await asHub.publishAsync(commandsTopic('bench-a'), JSON.stringify(command), { qos: 1 });
    const refused = await until(
      'the refusal event',
      async () =>
        (
          await hub!.pool.query(
            `SELECT data FROM events WHERE station_id = 'bench-a' AND kind = 'reference_set_refused' AND data->>'sha256' = $1`,
            [sha],
          )
        ).rows[0]?.data,
      () => true,
    );
    expect(refused.reason).toMatch(/reference set data is damaged or truncated \(checksum mismatch\)/);
    expect(a.store.referenceSets.list(PRODUCT)).toEqual(before.rows);
    expect(files(a)).toEqual(before.files);
  });

  it('a file for a backbone the bench does not have', async () => {
    // A well-formed set built with another backbone, kept by the source bench (which has it, say) and so at the hub.
    const source = bench('source');
    const set = decodeReferenceSet(
      readFileSync(refsetFile(source.store.dataDir, source.store.referenceSets.active(PRODUCT)!.filePath)),
    );
    const foreign = Buffer.from(
      encodeReferenceSet({ ...set, model: { id: 'resnet18-features', sha256: 'f0'.repeat(32) } }),
    );
    await storeReferenceSetBytes({
      store: source.store,
      productId: PRODUCT,
      bytes: foreign,
      source: 'test',
      calibrationDir: source.calibrationDir,
      activate: false,
      report: {},
    });
    const sha = sha256(foreign);
    await hubHolds(sha);

    const b = bench('bench-b');
    const before = { rows: b.store.referenceSets.list(PRODUCT), files: files(b) };
    expect((await api('/publish', { sha256: sha, stations: ['bench-b'] })).status).toBe(202);
    const d = await until(
      'the refusal',
      () => delivery(sha, 'bench-b'),
      (x) => x.state === 'refused',
    );
    expect(d.reason).toMatch(
      /built with backbone resnet18-features \(sha256 f0f0f0f0f0f0…\), which this station does not have/,
    );
    expect(b.store.referenceSets.list(PRODUCT)).toEqual(before.rows);
    expect(files(b)).toEqual(before.files);
    // And it cannot be activated where it is not.
    expect(await api('/activate', { sha256: sha, station: 'bench-b' })).toMatchObject({
      status: 409,
      body: { error: expect.stringMatching(/station bench-b has not reported holding reference set/) },
    });
  });
});

describe('a bench that is away', () => {
  it('gets what was published while it was offline when it reconnects', async () => {
    // Another set of the product (same bank, another creation time): a file bench B does not hold yet.
    const source = bench('source');
    const set = decodeReferenceSet(
      readFileSync(refsetFile(source.store.dataDir, source.store.referenceSets.active(PRODUCT)!.filePath)),
    );
    const newer = Buffer.from(encodeReferenceSet({ ...set, createdAt: new Date().toISOString() }));
    await storeReferenceSetBytes({
      store: source.store,
      productId: PRODUCT,
      bytes: newer,
      source: 'test',
      calibrationDir: source.calibrationDir,
      activate: false,
      report: {},
    });
    const sha = sha256(newer);
    await hubHolds(sha);

    const b = bench('bench-b');
    await b.publisher.close();
    await until(
      'bench-b offline at the hub',
      async () => (await view()).find((v) => v.stationId === 'bench-b'),
      (v) => !v.online,
    );
    expect((await api('/publish', { sha256: sha, stations: ['bench-b'] })).status).toBe(202);
    await new Promise((r) => setTimeout(r, 500));
    expect((await delivery(sha, 'bench-b'))?.state).toBe('sent');
    const versionsBefore = b.store.referenceSets.list(PRODUCT).length;

    benches.set('bench-b', connect(b));
    const d = await until(
      'bench-b checks it',
      () => delivery(sha, 'bench-b'),
      (x) => x.state === 'checked',
    );
    const rows = b.store.referenceSets.list(PRODUCT);
    expect(rows).toHaveLength(versionsBefore + 1);
    expect(rows.at(-1)).toMatchObject({ version: d.localVersion, isActive: false });
    expect(d.check).toMatchObject({ checked: true, goodImages: 7 });
  }, 300_000);
});
