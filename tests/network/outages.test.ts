// The workshop network through outages, on real parts: a private broker and PostgreSQL (hub/local/), the hub
// (startHub) in this process, and a station's real outbox publisher over its real SQLite store. Whatever goes
// down and comes back, every inspection the station committed ends in PostgreSQL once: the hub's seqs for the
// station are exactly 1..its last outbox seq, and each inspection id is there once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type Hub } from '../../hub/hub.ts';
import type { Broker } from '../../hub/local/mosquitto.ts';
import {
  eventually,
  heardOnline,
  inspectionCount,
  inspectMany,
  memoryLog,
  oneTo,
  startWorkshop,
  storedFor,
  type Workshop,
} from './workshop.ts';

let w: Workshop;
let hub: Hub;
const hubLog = memoryLog();

beforeAll(async () => {
  w = await startWorkshop(['bench-broker', 'bench-pg']);
  hub = await startHub(w.services.hubConfig, hubLog, { clientId: 'hub-outages' });
  await hub.ingest.ready;
});

afterAll(async () => {
  await hub?.close();
  await w?.close();
});

async function expectEveryInspectionOnce(station: string, ids: number[], lastSeq: number): Promise<void> {
  const stored = await storedFor(w.db, station);
  expect(stored.seqs).toEqual(oneTo(lastSeq)); // no gap, no extra
  expect(stored).toMatchObject({ inspections: ids.length, distinctIds: ids.length, distinctSeqs: ids.length });
  const r = await w.db.query('SELECT id FROM inspections WHERE station_id = $1 ORDER BY id', [station]);
  expect(r.rows.map((row) => Number(row.id))).toEqual([...ids].sort((a, b) => a - b));
}

describe('the workshop network through outages', () => {
  it('a broker stopped while a station inspects 200 items, then restarted: every inspection arrives once', async () => {
    const broker: Broker = w.services.broker;
    const s = await w.station('bench-broker');
    await heardOnline(w.db, s.id);
    let backlogWhileDown = 0;
    // Stopped cleanly (SIGTERM): mosquitto saves its sessions as it exits, so what it acknowledged to the station
    // (which then marked it sent) and still owed the hub's persistent session survives. A SIGKILL would lose what
    // arrived since the last autosave (autosave_interval): that guarantee is the broker's, not the network's.
    const ids = await inspectMany(s, 200, {
      onEach: async (k) => {
        if (k === 60) await broker.stop();
        if (k === 140) {
          await eventually(() => s.link()?.state().connected === false, 'the station to see the broker gone');
          backlogWhileDown = s.link()?.state().backlog ?? 0;
          await broker.restart();
        }
      },
    });
    // The items inspected while the broker was down waited in the outbox, and the station said so.
    expect(backlogWhileDown).toBeGreaterThanOrEqual(80);
    await eventually(async () => (await inspectionCount(w.db, s.id)) === 200, '200 inspections in PostgreSQL', 90_000);
    await expectEveryInspectionOnce(s.id, ids, s.lastSeq());
    await eventually(() => s.link()?.state().backlog === 0, 'the outbox to be acknowledged to the end');
  });

  it('PostgreSQL restarted under load: the hub reconnects and nothing is lost', async () => {
    const s = await w.station('bench-pg');
    await heardOnline(w.db, s.id);
    let restarting: Promise<void> | undefined;
    let storedWhenRestarted = -1;
    const ids = await inspectMany(s, 1000, {
      every: 20,
      onEach: async (k) => {
        if (k !== 300) return;
        // Once the hub is busy writing this station's items, restart the database under it; inspecting goes on.
        await eventually(async () => (await inspectionCount(w.db, s.id)) >= 100, 'the hub to be writing');
        storedWhenRestarted = await inspectionCount(w.db, s.id);
        restarting = w.services.db.restart();
      },
    });
    await restarting;
    expect(storedWhenRestarted).toBeGreaterThan(0);
    expect(storedWhenRestarted).toBeLessThan(1000);
    await eventually(
      async () => (await inspectionCount(w.db, s.id)) === 1000,
      '1000 inspections in PostgreSQL',
      120_000,
    );
    await expectEveryInspectionOnce(s.id, ids, s.lastSeq());
    // The hub noticed the outage (it held messages back and retried) rather than never meeting it.
    expect(hubLog.lines.some((l) => /database/.test(l) && l.startsWith('warn'))).toBe(true);
    expect(hub.ingest.stats().lastError).toBeNull();
  });
});
