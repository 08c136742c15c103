// The hub SIGKILLed during ingest, on real parts: the hub runs as `npm run hub` does, in a child process of its own
// (scripts/lib/hubProcess.ts), so the kill is real; the broker and PostgreSQL are private instances (hub/local/).
// The broker keeps the hub's persistent session meanwhile; the restarted hub catches up with no duplicate and no gap.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HubProcess, spawnHub } from '../../scripts/lib/hubProcess.ts';
import {
  eventually,
  heardOnline,
  inspectionCount,
  inspectMany,
  oneTo,
  startWorkshop,
  storedFor,
  type Workshop,
} from './workshop.ts';

let w: Workshop;
let hub: HubProcess | undefined;
const N = 1500;

beforeAll(async () => {
  w = await startWorkshop(['bench-crash']);
});

afterAll(async () => {
  await hub?.stop('SIGKILL');
  await w?.close();
});

describe('the hub killed during ingest', () => {
  it('restarted, it catches up: every seq 1..N of the station once, no duplicates, no gaps', async () => {
    const log = join(w.dir, 'hub.log');
    hub = await spawnHub(w.services.hubConfigFile, log);
    const s = await w.station('bench-crash');
    await heardOnline(w.db, s.id);
    const ids = await inspectMany(s, N, { every: 50 });

    await eventually(async () => (await inspectionCount(w.db, s.id)) >= 200, 'the hub to be writing');
    await hub.stop('SIGKILL');
    const atKill = await inspectionCount(w.db, s.id);
    // The kill landed mid-ingest, or this test would prove nothing.
    expect(atKill).toBeLessThan(N);

    hub = await spawnHub(w.services.hubConfigFile, log);
    await eventually(async () => (await inspectionCount(w.db, s.id)) === N, `${N} inspections in PostgreSQL`, 120_000);
    const stored = await storedFor(w.db, s.id);
    expect(stored.seqs).toEqual(oneTo(s.lastSeq()));
    expect(stored).toMatchObject({ inspections: N, distinctIds: N, distinctSeqs: N });
    const r = await w.db.query('SELECT MIN(id)::int AS lo, MAX(id)::int AS hi FROM inspections WHERE station_id = $1', [
      s.id,
    ]);
    expect(r.rows[0]).toEqual({ lo: Math.min(...ids), hi: Math.max(...ids) });
  });
});
