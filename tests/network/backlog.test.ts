// A station cut off from the workshop network, on real parts: a private broker and PostgreSQL (hub/local/), the hub
// in this process, the station's real outbox and publisher, and a cable (a TCP relay) between station and broker
// that the test pulls. Offline, the station keeps inspecting and shows its backlog; the hub shows the station
// offline and behind. Plugged back in, the backlog drains in order. Wrong credentials: refused, nothing lost.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stationLag, type StationLag } from '../../hub/db/lag.ts';
import { startHub, type Hub } from '../../hub/hub.ts';
import { EVENTS, stationTopic } from '../../station/network/topics.ts';
import { type Cable, startCable } from './cable.ts';
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
let cable: Cable;
const OFFLINE_ITEMS = 1000;

beforeAll(async () => {
  w = await startWorkshop(['bench-off', 'bench-wrong']);
  hub = await startHub(w.services.hubConfig, memoryLog(), { clientId: 'hub-backlog' });
  await hub.ingest.ready;
  cable = await startCable(w.services.broker.port);
});

afterAll(async () => {
  await hub?.close();
  await cable?.close();
  await w?.close();
});

const lagOf = async (station: string): Promise<StationLag | undefined> =>
  (await stationLag(hub.pool)).find((l) => l.stationId === station);

/** The order in which the broker delivers a station's events to a subscriber like the hub: first arrivals' seqs. */
async function watchArrivals(station: string): Promise<{ seqs: number[]; end(): Promise<void> }> {
  const seqs: number[] = [];
  const seen = new Set<number>();
  const client = await mqtt.connectAsync(w.services.broker.url, {
    protocolVersion: 5,
    clientId: 'arrival-watch',
    username: 'hub',
    password: readFileSync(join(w.dir, w.services.hubConfig.broker.passwordFile), 'utf8').trim(),
    reconnectPeriod: 0,
  });
  client.on('message', (_topic, payload) => {
    const seq = (JSON.parse(payload.toString()) as { seq: number }).seq;
    if (!seen.has(seq)) seqs.push(seq);
    seen.add(seq);
  });
  await client.subscribeAsync(stationTopic(station, EVENTS), { qos: 1 });
  return { seqs, end: () => client.endAsync() };
}

describe('a station offline', () => {
  it(`for ${OFFLINE_ITEMS} items, then online: the lag shows meanwhile and the backlog drains in order`, async () => {
    const s = await w.station('bench-off', { broker: cable.url });
    await heardOnline(w.db, s.id);
    await inspectMany(s, 10);
    await eventually(async () => (await inspectionCount(w.db, s.id)) === 10, 'the first items at the hub');

    cable.pull();
    await eventually(() => s.link()?.state().connected === false, 'the station to see the network gone');
    await inspectMany(s, OFFLINE_ITEMS, { every: 50 });

    // The station shows what waits (its /healthz, /metrics and Live page read this state).
    const state = s.link()?.state();
    expect(state?.connected).toBe(false);
    expect(state?.backlog).toBeGreaterThanOrEqual(OFFLINE_ITEMS);
    expect(state?.oldestUnsentAt).toEqual(expect.any(Number));
    // The hub shows it offline (the broker published its last will) and behind: its last seq is the station's
    // before the cut, and the newest row is getting older.
    await eventually(async () => (await lagOf(s.id))?.online === false, "the hub to record the station's last will");
    const behind = await lagOf(s.id);
    expect(behind?.lastSeq).toBeLessThanOrEqual(s.lastSeq() - OFFLINE_ITEMS);
    expect(behind?.missing).toBe(0);
    expect(behind?.ageMs).toBeGreaterThan(0);

    const arrivals = await watchArrivals(s.id);
    const samples: StationLag[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const l = await lagOf(s.id);
        if (l) samples.push(l);
        await new Promise((r) => setTimeout(r, 25));
      }
    })();
    cable.plugIn();
    const total = 10 + OFFLINE_ITEMS;
    await eventually(async () => (await inspectionCount(w.db, s.id)) === total, `${total} inspections`, 120_000);
    sampling = false;
    await sampler;
    await arrivals.end();

    const last = s.lastSeq();
    // Drained in order: the broker delivered each seq first in the station's order, and the hub stored them so.
    expect(arrivals.seqs.length).toBeGreaterThanOrEqual(OFFLINE_ITEMS);
    expect(arrivals.seqs).toEqual([...arrivals.seqs].sort((a, b) => a - b));
    const stored = await storedFor(w.db, s.id);
    expect(stored.seqs).toEqual(oneTo(last));
    const rows = await w.db.query('SELECT received_at FROM events WHERE station_id = $1 ORDER BY seq', [s.id]);
    const received = rows.rows.map((r) => Number(r.received_at));
    expect(received).toEqual([...received].sort((a, b) => a - b));
    // While it drained, the hub's view showed the station catching up: behind, with nothing missing in between.
    const midway = samples.filter((l) => l.lastSeq > (behind?.lastSeq ?? 0) && l.lastSeq < last);
    expect(midway.length).toBeGreaterThan(0);
    expect(midway.every((l) => l.missing === 0)).toBe(true);
    expect(await lagOf(s.id)).toMatchObject({ online: true, lastSeq: last, missing: 0 });
    await eventually(() => s.link()?.state().backlog === 0, 'the outbox to be acknowledged to the end');
  });
});

describe('a station with the wrong credentials', () => {
  it('is refused by the broker; its outbox keeps everything and the hub receives nothing', async () => {
    const wrong = join(w.dir, 'wrong.password');
    writeFileSync(wrong, 'not-the-password\n');
    const s = await w.station('bench-wrong', { passwordFile: wrong });
    await inspectMany(s, 5);
    await eventually(() => /not authori[sz]ed/i.test(s.link()?.state().lastError ?? ''), 'the refusal to show');
    expect(s.link()?.state()).toMatchObject({ connected: false, backlog: s.lastSeq() });
    expect(await inspectionCount(w.db, s.id)).toBe(0);
    const r = await w.db.query('SELECT COUNT(*)::int AS n FROM stations WHERE id = $1', [s.id]);
    expect(r.rows[0].n).toBe(0);
  });
});
