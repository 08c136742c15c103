/**
 * npm run bench:workshop [-- --stations 20 --items 1000 --rate 3 --burst 100 --single 40]
 *
 * The workshop network under load, on real parts: a private Mosquitto broker and PostgreSQL (hub/local/), the hub as
 * `npm run hub` runs it (a child process, so its memory is its own), and `--stations` simulated stations in this
 * process, each a real SQLite store whose inspections go through the outbox and the bench's real publisher
 * (scripts/lib/simStation.ts: thumbnails made and sent as at a bench). Each station inspects `--items` items at
 * `--rate` items per second (a real bench does one every few seconds), then `--burst` more each at once. Printed: the
 * hub's ingest rate (paced, and its capacity in the burst), publish-to-row lag p50/p99 (station commit → row
 * committed at the hub, one machine so one clock), rows in PostgreSQL against inspections published, duplicates and
 * gaps, the hub's RSS. Then the single bench's capture-to-verdict (scripts/e2eBench.ts) over `--single` replayed
 * items, publishing off and on: publishing may add at most 2 ms to the p50.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { stationLag } from '../hub/db/lag.ts';
import { percentile } from '../station/vision/metrics.ts';
import { benchEndToEnd } from './e2eBench.ts';
import { spawnHub } from './lib/hubProcess.ts';
import { Progress } from './lib/progress.ts';
import { type SimStation, simStationDir, startSimStation } from './lib/simStation.ts';
import { startWorkshopServices } from './lib/workshopServices.ts';

const SINGLE = 'bench-single';
const MAX_ADDED_P50_MS = 2;

function options() {
  const { values } = parseArgs({
    options: {
      stations: { type: 'string', default: '20' },
      items: { type: 'string', default: '1000' },
      rate: { type: 'string', default: '3' },
      burst: { type: 'string', default: '100' },
      single: { type: 'string', default: '40' },
    },
  });
  const n = (name: keyof typeof values, min: number) => {
    const v = Number(values[name]);
    if (!Number.isFinite(v) || v < min) throw new Error(`--${name} must be a number ≥ ${min} (got ${values[name]})`);
    return v;
  };
  return {
    stations: n('stations', 1),
    items: n('items', 1),
    rate: n('rate', 0.1),
    burst: n('burst', 0),
    single: n('single', 0),
  };
}

const sleepUntil = (t: number) => new Promise((r) => setTimeout(r, Math.max(0, t - Date.now())));
const query = async (db: pg.Pool, sql: string) => (await db.query(sql)).rows[0];

/** Every station inspects one item per tick, so the offered load is stations × rate items per second. */
async function inspectPaced(stations: SimStation[], items: number, rate: number): Promise<void> {
  const t0 = Date.now();
  const bar = new Progress('inspecting', items);
  for (let k = 0; k < items; k++) {
    await sleepUntil(t0 + (k * 1000) / rate);
    for (const [i, s] of stations.entries()) s.inspect(((k * 37 + i * 11) % 100) / 100);
    bar.tick(k + 1);
  }
  bar.done();
}

async function waitForRows(db: pg.Pool, want: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  const bar = new Progress('hub rows', want);
  for (;;) {
    const n = (await query(db, 'SELECT COUNT(*)::int AS n FROM inspections')).n as number;
    bar.tick(n);
    if (n >= want || Date.now() > deadline) {
      bar.done();
      return n;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function main(): Promise<void> {
  const o = options();
  const dir = mkdtempSync(join(tmpdir(), 'bench-workshop-'));
  chmodSync(dir, 0o711);
  const ids = Array.from({ length: o.stations }, (_, i) => `bench-${String(i + 1).padStart(2, '0')}`);
  const services = await startWorkshopServices({ dir, stations: [...ids, SINGLE] });
  const hub = await spawnHub(services.hubConfigFile, join(dir, 'hub.log'));
  const db = new pg.Pool({ connectionString: services.db.connectionString, max: 2 });
  const stations: SimStation[] = [];
  try {
    for (const id of ids) {
      const s = await startSimStation({
        id,
        dataDir: simStationDir(dir, id),
        broker: services.broker.url,
        passwordFile: services.passwordFile(id),
      });
      stations.push(s);
    }
    // Every station's birth recorded: the hub's subscription is in place before the first inspection.
    const online = async () => (await stationLag(db)).filter((l) => l.online).length;
    while ((await online()) < ids.length) await new Promise((r) => setTimeout(r, 100));

    const published = o.stations * o.items;
    console.log(
      `workshop: ${o.stations} stations × ${o.items} inspections at ${o.rate}/s each (${o.stations * o.rate}/s offered) → broker → hub → PostgreSQL`,
    );
    const started = performance.now();
    await inspectPaced(stations, o.items, o.rate);
    const rows = await waitForRows(db, published, 10 * 60_000);
    const wall = (performance.now() - started) / 1000;
    await reportWorkshop(db, stations, { published, rows, wall, hubUrl: hub.url });
    await burst(db, stations, o.burst);
    const memory = hub.memory();
    console.log(
      `  hub RSS                  ${memory.rssMiB.toFixed(0)} MiB now, peak ${memory.peakMiB.toFixed(0)} MiB`,
    );
    if (o.single > 0) await benchSingle(o.single, services.broker.url, services.passwordFile(SINGLE), db);
  } finally {
    for (const s of stations) await s.close();
    await db.end();
    await hub.stop();
    await services.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function reportWorkshop(
  db: pg.Pool,
  stations: SimStation[],
  r: { published: number; rows: number; wall: number; hubUrl: string },
): Promise<void> {
  const span = await query(
    db,
    `SELECT COUNT(*)::int AS n, MIN(received_at)::float8 AS first, MAX(received_at)::float8 AS last
     FROM events WHERE kind = 'inspection'`,
  );
  const unique = await query(
    db,
    'SELECT COUNT(*)::int AS n, COUNT(DISTINCT (station_id, id))::int AS ids, COUNT(DISTINCT (station_id, seq))::int AS seqs FROM inspections',
  );
  const lags = (
    await db.query(`SELECT (received_at - at)::float8 AS lag FROM events WHERE kind = 'inspection'`)
  ).rows.map((x) => x.lag as number);
  const lag = await stationLag(db);
  const gaps = lag.reduce((sum, l) => sum + l.missing, 0);
  const behind = stations.filter((s) => lag.find((l) => l.stationId === s.id)?.lastSeq !== s.lastSeq()).length;
  const ingest = (await (await fetch(`${r.hubUrl}/healthz`)).json()) as { ingest: { duplicates: number } };
  const rate = (span.n * 1000) / Math.max(1, span.last - span.first);
  console.log(
    `  rows in PostgreSQL       ${r.rows} of ${r.published} inspections published${r.rows === r.published ? '' : '  ← MISSING ROWS'}`,
  );
  console.log(
    `  duplicates               ${unique.n - Math.min(unique.ids, unique.seqs)} rows; resends the hub absorbed by key: ${ingest.ingest.duplicates}`,
  );
  console.log(`  gaps                     ${gaps} missing seqs; ${behind} stations behind their outbox`);
  console.log(
    `  hub ingest rate, paced   ${rate.toFixed(0)} rows/s (first to last row), whole run ${r.wall.toFixed(1)} s`,
  );
  console.log(
    `  publish-to-row lag       p50 ${percentile(lags, 50).toFixed(0)} ms   p99 ${percentile(lags, 99).toFixed(0)} ms   max ${Math.max(...lags).toFixed(0)} ms`,
  );
}

/**
 * The hub's capacity: every station commits `items` more at once, so the broker holds a queue for the hub and the
 * rate is the hub's own (its one-message-one-transaction ingest), not the offered one.
 */
async function burst(db: pg.Pool, stations: SimStation[], items: number): Promise<void> {
  if (items === 0) return;
  const before = (await query(db, 'SELECT COUNT(*)::int AS n FROM inspections')).n as number;
  const t0 = Date.now();
  for (let k = 0; k < items; k++) for (const s of stations) s.inspect((k % 100) / 100);
  const want = before + items * stations.length;
  const rows = await waitForRows(db, want, 10 * 60_000);
  const last = (await query(db, `SELECT MAX(received_at)::float8 AS t FROM events WHERE kind = 'inspection'`)).t;
  console.log(
    `  hub ingest rate, burst   ${(((rows - before) * 1000) / Math.max(1, last - t0)).toFixed(0)} rows/s (${stations.length} × ${items} committed at once; ${rows - before} rows in ${((last - t0) / 1000).toFixed(1)} s)`,
  );
}

/** The single bench's capture-to-verdict with publishing off, then on (to the same broker, ingested by the hub). */
async function benchSingle(items: number, broker: string, passwordFile: string, db: pg.Pool): Promise<void> {
  console.log(`single bench: capture-to-verdict over ${items} replayed items, publishing off, then on …`);
  const off = await benchEndToEnd(items);
  const on = await benchEndToEnd(items, undefined, { station: SINGLE, broker, passwordFile });
  const reached = (await db.query('SELECT COUNT(*)::int AS n FROM inspections WHERE station_id = $1', [SINGLE])).rows[0]
    .n as number;
  const p = (xs: number[], q: number) => percentile(xs, q).toFixed(1);
  console.log(
    `  publishing off  frame → verdict committed  p50 ${p(off.committedMs, 50)} ms   p95 ${p(off.committedMs, 95)} ms`,
  );
  console.log(
    `  publishing on   frame → verdict committed  p50 ${p(on.committedMs, 50)} ms   p95 ${p(on.committedMs, 95)} ms`,
  );
  const added = percentile(on.committedMs, 50) - percentile(off.committedMs, 50);
  console.log(
    `  publishing adds ${added.toFixed(1)} ms to the p50 (limit ${MAX_ADDED_P50_MS} ms: ${added <= MAX_ADDED_P50_MS ? 'within' : 'OVER'}); ${reached} of its inspections reached PostgreSQL`,
  );
}

main().catch((err) => {
  console.error(`bench:workshop: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
