// Test helpers for the workshop network end to end: the services in a temporary folder (scripts/lib/
// workshopServices.ts over hub/local/), simulated stations on real SQLite stores, what the hub stored, and a wait
// for a condition that may need a database query to check.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { type SimStation, simStationDir, startSimStation } from '../../scripts/lib/simStation.ts';
import { startWorkshopServices, type WorkshopServices } from '../../scripts/lib/workshopServices.ts';
import { memoryLog } from '../runtime/harness.ts';

export interface Workshop {
  dir: string;
  services: WorkshopServices;
  /** A pool of the test's own on the hub's database, to read what the hub stored. */
  db: pg.Pool;
  station(id: string, opts?: { online?: boolean; broker?: string; passwordFile?: string }): Promise<SimStation>;
  close(): Promise<void>;
}

/** The station tests' in-memory log, for the hub too. */
export { memoryLog };

export async function startWorkshop(stationIds: string[]): Promise<Workshop> {
  const dir = mkdtempSync(join(tmpdir(), 'workshop-'));
  const services = await startWorkshopServices({ dir, stations: stationIds });
  const db = new pg.Pool({ connectionString: services.db.connectionString, max: 2 });
  // The tests restart PostgreSQL under this pool too: an idle client losing its server is expected.
  db.on('error', () => undefined);
  const stations: SimStation[] = [];
  return {
    dir,
    services,
    db,
    async station(id, opts = {}) {
      const s = await startSimStation({
        id,
        dataDir: simStationDir(dir, id),
        broker: opts.broker ?? services.broker.url,
        passwordFile: opts.passwordFile ?? services.passwordFile(id),
        online: opts.online,
        log: memoryLog(),
      });
      stations.push(s);
      return s;
    },
    async close() {
      for (const s of stations) await s.close().catch(() => undefined);
      await db.end().catch(() => undefined);
      await services.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls `check` (which may query) until it returns true; fails naming `what` and the last value seen. */
export async function eventually(
  check: () => Promise<boolean> | boolean,
  what: string,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let last: unknown;
    try {
      if (await check()) return;
    } catch (err) {
      last = err; // the database may be restarting: ask again
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${last})` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** What the hub stored for one station: its events' seqs and its inspections' ids, each counted and distinct. */
export async function storedFor(db: pg.Pool, station: string) {
  const e = await db.query('SELECT seq FROM events WHERE station_id = $1 ORDER BY seq', [station]);
  const i = await db.query(
    'SELECT COUNT(*)::int AS n, COUNT(DISTINCT id)::int AS ids, COUNT(DISTINCT seq)::int AS seqs FROM inspections WHERE station_id = $1',
    [station],
  );
  return {
    seqs: e.rows.map((r) => Number(r.seq)),
    inspections: i.rows[0].n as number,
    distinctIds: i.rows[0].ids as number,
    distinctSeqs: i.rows[0].seqs as number,
  };
}

export async function inspectionCount(db: pg.Pool, station?: string): Promise<number> {
  const r = station
    ? await db.query('SELECT COUNT(*)::int AS n FROM inspections WHERE station_id = $1', [station])
    : await db.query('SELECT COUNT(*)::int AS n FROM inspections');
  return r.rows[0].n;
}

/** The hub heard the station's birth message: its subscription is in place, so nothing published from now is missed. */
export async function heardOnline(db: pg.Pool, station: string): Promise<void> {
  await eventually(async () => {
    const r = await db.query('SELECT online FROM stations WHERE id = $1', [station]);
    return r.rows[0]?.online === true;
  }, `the hub to record ${station} online`);
}

/** 1..n, for comparing a station's seqs with what the hub holds. */
export const oneTo = (n: number) => Array.from({ length: n }, (_, k) => k + 1);

/** Commits `n` inspections, yielding to the event loop every `every` so the publisher runs meanwhile. */
export async function inspectMany(
  s: SimStation,
  n: number,
  opts: { every?: number; onEach?: (k: number) => Promise<void> | void } = {},
): Promise<number[]> {
  const ids: number[] = [];
  for (let k = 0; k < n; k++) {
    ids.push(s.inspect(((k * 37) % 100) / 100).id);
    await opts.onEach?.(k + 1);
    if ((k + 1) % (opts.every ?? 10) === 0) await new Promise((r) => setImmediate(r));
  }
  return ids;
}
