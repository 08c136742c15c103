// The private Mosquitto broker of hub/local/mosquitto.ts, run for real on a free port: who may connect, who may
// publish and read what, and that QoS 1 messages wait for a persistent session across disconnects and restarts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Broker, startBroker } from '../../hub/local/mosquitto.ts';
import { ALL_STATIONS, commandsTopic, stationTopic, TOPIC_ROOT } from '../../station/network/topics.ts';
import { Clients, inboxOf, waitUntil } from './mqttClients.ts';

const HUB = { username: 'hub', password: 'hub-secret' };
const STATIONS = [
  { id: 'bench-1', password: 'one-secret' },
  { id: 'bench-2', password: 'two-secret' },
];
const [ONE, TWO] = STATIONS;

let dir: string;
let broker: Broker | undefined;
const clients = new Clients(() => broker!.url);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'broker-'));
  broker = await startBroker({ dir, hub: HUB, stations: STATIONS });
});

afterAll(async () => {
  await clients.endAll();
  await broker?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('who may connect', () => {
  it('lets a station in with its own password', async () => {
    const c = await clients.connect(ONE.id, ONE.password);
    expect(c.connected).toBe(true);
  });

  it.each([
    ['a wrong password', ONE.id, 'not-it'],
    ["another station's password", ONE.id, TWO.password],
    ['an unknown user', 'bench-9', ONE.password],
  ])('refuses %s as not authorized', async (_, username, password) => {
    // MQTT 5 reason code 0x87 (135): Not authorized.
    await expect(clients.connect(username, password)).rejects.toMatchObject({ code: 135 });
  });

  it('refuses a client with no credentials', async () => {
    await expect(clients.connect()).rejects.toMatchObject({ code: 135 });
  });
});

describe('who may publish and read what', () => {
  it('a station publishes under its own topic only; the hub never sees the rest', async () => {
    const hub = await clients.connect(HUB.username, HUB.password);
    const seen = inboxOf(hub);
    await hub.subscribeAsync(`${TOPIC_ROOT}/#`, { qos: 1 });
    const one = await clients.connect(ONE.id, ONE.password);

    await one.publishAsync(stationTopic(ONE.id, 'inspections'), 'mine', { qos: 1 });
    for (const topic of [stationTopic(TWO.id, 'inspections'), commandsTopic(TWO.id), `${TOPIC_ROOT}/elsewhere`]) {
      await expect(one.publishAsync(topic, 'not mine', { qos: 1 })).rejects.toMatchObject({ code: 135 });
    }
    // One publisher's QoS 1 messages arrive in order: once this one is in, a refused one would already be there.
    await one.publishAsync(stationTopic(ONE.id, 'inspections'), 'last', { qos: 1 });
    await waitUntil(() => seen.some((m) => m.payload === 'last'), "the station's last message at the hub");
    expect(seen).toEqual([
      { topic: stationTopic(ONE.id, 'inspections'), payload: 'mine' },
      { topic: stationTopic(ONE.id, 'inspections'), payload: 'last' },
    ]);
  });

  it("a station reads its own commands, never another station's", async () => {
    const one = await clients.connect(ONE.id, ONE.password);
    const oneGot = inboxOf(one);
    // Subscribing is not refused (mosquitto 2.0 grants it); what the ACL withholds is delivery.
    await one.subscribeAsync([commandsTopic(TWO.id), commandsTopic(ONE.id), `${TOPIC_ROOT}/#`], { qos: 1 });
    const two = await clients.connect(TWO.id, TWO.password);
    const twoGot = inboxOf(two);
    await two.subscribeAsync(commandsTopic(TWO.id), { qos: 1 });
    const hub = await clients.connect(HUB.username, HUB.password);

    await hub.publishAsync(commandsTopic(TWO.id), 'for two', { qos: 1 });
    await hub.publishAsync(commandsTopic(ONE.id), 'for one', { qos: 1 });
    await waitUntil(() => oneGot.length > 0 && twoGot.length > 0, 'both commands delivered');
    // The hub's messages reach one station in the order sent, so 'for two' would have come first.
    expect(new Set(oneGot.map((m) => m.payload))).toEqual(new Set(['for one']));
    expect(twoGot).toEqual([{ topic: commandsTopic(TWO.id), payload: 'for two' }]);
  });

  it('the hub cannot publish as a station', async () => {
    const hub = await clients.connect(HUB.username, HUB.password);
    await expect(hub.publishAsync(stationTopic(ONE.id, 'inspections'), 'forged', { qos: 1 })).rejects.toMatchObject({
      code: 135,
    });
  });
});

describe('QoS 1 and persistent sessions', () => {
  // clean: false keeps the session; MQTT 5 also needs an expiry, or the session ends with the connection.
  const persistent = { clientId: 'hub-ingest-test', clean: false, properties: { sessionExpiryInterval: 3600 } };

  /** Subscribes the persistent session to every station, then disconnects it. */
  async function leaveSubscribed(): Promise<void> {
    const { client } = await clients.connectListening(HUB.username, HUB.password, persistent);
    await client.subscribeAsync(ALL_STATIONS, { qos: 1 });
    await client.endAsync();
  }

  async function publishAsStation(payload: string): Promise<void> {
    const one = await clients.connect(ONE.id, ONE.password);
    await one.publishAsync(stationTopic(ONE.id, 'inspections'), payload, { qos: 1 });
    await one.endAsync();
  }

  it('delivers what was published while the subscriber was away, when it comes back', async () => {
    await leaveSubscribed();
    await publishAsStation('while away');

    const back = await clients.connectListening(HUB.username, HUB.password, persistent);
    await waitUntil(() => back.inbox.length > 0, 'the queued message');
    expect(back.inbox).toEqual([{ topic: stationTopic(ONE.id, 'inspections'), payload: 'while away' }]);
    await back.client.endAsync();
  });

  it('keeps the session and its queue across a broker restart, on the same port', async () => {
    const port = broker!.port;
    await leaveSubscribed();
    await publishAsStation('before the restart');
    await broker!.restart();
    expect(broker!.port).toBe(port);

    const back = await clients.connectListening(HUB.username, HUB.password, persistent);
    await waitUntil(() => back.inbox.length > 0, 'the message queued before the restart');
    expect(back.inbox).toEqual([{ topic: stationTopic(ONE.id, 'inspections'), payload: 'before the restart' }]);
    // The subscription itself survived too: a new message arrives with no new SUBSCRIBE.
    await publishAsStation('after the restart');
    await waitUntil(() => back.inbox.length > 1, 'the message published after the restart');
    expect(back.inbox[1].payload).toBe('after the restart');
    await back.client.endAsync();
  });

  it('comes back after a SIGKILL', async () => {
    await broker!.kill();
    await expect(clients.connect(ONE.id, ONE.password)).rejects.toThrow();
    await broker!.restart();
    const one = await clients.connect(ONE.id, ONE.password);
    expect(one.connected).toBe(true);
  });
});
