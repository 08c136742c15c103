// The whole station (startStation: replay camera, trigger, real backbone, SQLite) with its `network` section, through
// a broker outage: a private broker and PostgreSQL (hub/local/) and the hub in this process. The broker is stopped
// after the third item and started again after the sixth; every item the station judged reaches PostgreSQL once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type Hub } from '../../hub/hub.ts';
import { makeBench, replayFinished, run, type Running } from '../runtime/harness.ts';
import {
  eventually,
  heardOnline,
  inspectionCount,
  memoryLog,
  oneTo,
  startWorkshop,
  storedFor,
  type Workshop,
} from './workshop.ts';

const ITEMS = 9;
let w: Workshop;
let hub: Hub;
let station: Running | undefined;

beforeAll(async () => {
  w = await startWorkshop(['bench-live']);
  hub = await startHub(w.services.hubConfig, memoryLog(), { clientId: 'hub-station-outage' });
  await hub.ingest.ready;
});

afterAll(async () => {
  await station?.close();
  await hub?.close();
  await w?.close();
});

describe('a whole station through a broker outage', () => {
  it(`every one of ${ITEMS} replayed items reaches PostgreSQL once`, async () => {
    const bench = await makeBench(ITEMS);
    const judged: number[] = [];
    const network = {
      station: 'bench-live',
      broker: w.services.broker.url,
      passwordFile: w.services.passwordFile('bench-live'),
    };
    station = await run(bench, { network });
    station.station.onInspection((row) => judged.push(row.id));
    await heardOnline(w.db, 'bench-live');

    await eventually(() => judged.length >= 3, 'three items judged', 120_000);
    await w.services.broker.stop(); // clean: see outages.test.ts for why not SIGKILL
    await eventually(() => judged.length >= 6, 'three more items judged with the broker down', 120_000);
    // Meanwhile the bench says what waits: on /healthz and as the outbox_backlog gauge of /metrics.
    await eventually(async () => {
      const health = (await (await fetch(new URL('/healthz', station?.station.url))).json()) as {
        network: { connected: boolean; backlog: number };
      };
      return !health.network.connected && health.network.backlog > 0;
    }, 'the station to report itself disconnected with a backlog');
    const metrics = await (await fetch(new URL('/metrics', station.station.url))).text();
    expect(Number(/^outbox_backlog (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThan(0);
    await w.services.broker.restart();
    await replayFinished(station);

    expect(judged).toHaveLength(ITEMS);
    await eventually(
      async () => (await inspectionCount(w.db, 'bench-live')) === ITEMS,
      `${ITEMS} inspections at the hub`,
    );
    const stored = await storedFor(w.db, 'bench-live');
    const last = (station.station.store.db.prepare('SELECT MAX(seq) AS seq FROM outbox').get() as { seq: number }).seq;
    expect(stored.seqs).toEqual(oneTo(last));
    expect(stored).toMatchObject({ inspections: ITEMS, distinctIds: ITEMS });
    const ids = await w.db.query('SELECT id FROM inspections WHERE station_id = $1 ORDER BY id', ['bench-live']);
    expect(ids.rows.map((r) => Number(r.id))).toEqual([...judged].sort((a, b) => a - b));
    // The inspections carried their thumbnails from the station's evidence.
    const thumbs = await w.db.query(
      'SELECT COUNT(*)::int AS n FROM inspections WHERE station_id = $1 AND frame_thumb IS NOT NULL AND heatmap_thumb IS NOT NULL',
      ['bench-live'],
    );
    expect(thumbs.rows[0].n).toBe(ITEMS);
    // The hub knows who works at the bench from its start, though nobody changed the selection.
    const sel = await w.db.query('SELECT product_id, maker_id FROM station_selection WHERE station_id = $1', [
      'bench-live',
    ]);
    const s = station.station.store;
    expect(sel.rows).toEqual([
      { product_id: s.db.prepare('SELECT product_id AS p FROM inspections LIMIT 1').pluck().get(), maker_id: null },
    ]);
  });
});
