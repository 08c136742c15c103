/**
 * Sends the station's outbox to the workshop broker: in seq order, QoS 1, each entry marked sent only when the
 * broker acknowledges it (PUBACK), so a restart, a broker outage or a cut cable loses nothing — the next connection
 * starts again from the oldest unsent entry. The hub keys on (station, seq), so a resend is harmless.
 *
 * The station is online on the broker through a retained birth message on its status topic, and offline through
 * the last will the broker publishes when the connection dies without a goodbye.
 *
 * With a command handler, the same connection reads the station's commands topic in a persistent session (the broker
 * keeps what the hub sent while the bench was off), and acknowledges a command only once the handler has settled it:
 * a station that dies mid-command gets it again.
 */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Log } from '../shared/domain.d.ts';
import type { OutboxBacklog, Store } from '../store/index.ts';
import { MESSAGE_VERSION, type StatusMessage } from './messages.ts';
import { referenceSetFileOf } from './refsetFile.ts';
import { thumbnailsOf } from './thumbnails.ts';
import { commandsTopic, EVENTS, STATUS, stationTopic } from './topics.ts';
import { toEvent } from './toEvent.ts';

export interface PublisherOptions {
  store: Store;
  stationId: string;
  /** mqtt://host:port, or mqtts:// for TLS. */
  url: string;
  username: string;
  password: string;
  /** PEM of the authority that signed the broker's certificate (mqtts://), when it is not a public one. */
  ca?: Buffer;
  /** Entries published before waiting for their acknowledgements. */
  window?: number;
  /** Handles one message from the station's commands topic (its text); settles once the answer is committed. */
  onCommand?: (text: string) => Promise<void>;
  log: Pick<Log, 'info' | 'warn'>;
}

export interface PublisherStatus {
  connected: boolean;
  backlog: OutboxBacklog;
  /** Why the last connection or publish failed, while it matters (cleared on the next success). */
  lastError: string | null;
}

export interface Publisher {
  status(): PublisherStatus;
  /** Says goodbye (status offline), stops sending; unsent entries stay for the next start. */
  close(): Promise<void>;
}

const DEFAULT_WINDOW = 32;
/** How long the broker keeps a silent bench's session and the commands queued for it. */
const SESSION_EXPIRY_S = 30 * 24 * 3600;
const GOODBYE_WAIT_MS = 2000;

/**
 * Hands each command to `onCommand` and acknowledges it to the broker only once handled. Set before the connection
 * opens: a resumed session's queued commands follow the CONNACK at once.
 */
function receiveCommands(
  client: MqttClient,
  commands: string,
  onCommand: (text: string) => Promise<void>,
  log: PublisherOptions['log'],
): void {
  client.handleMessage = (packet, done) => {
    if (packet.cmd !== 'publish' || packet.topic !== commands) return done();
    onCommand(packet.payload.toString())
      .catch((err) => log.warn(`workshop network: a command from the hub failed: ${(err as Error).message}`))
      .finally(() => done());
  };
}

export function startPublisher(o: PublisherOptions): Publisher {
  const { store, stationId, log } = o;
  const events = stationTopic(stationId, EVENTS);
  const statusTopic = stationTopic(stationId, STATUS);
  const status = (online: boolean, at = Date.now()): string =>
    JSON.stringify({ v: MESSAGE_VERSION, station: stationId, online, at } satisfies StatusMessage);
  // The hub keeps the newest status by its `at`, so a stale retained one cannot override a fresh one. The will is
  // written before its connection exists, so one connection's birth and will both carry the time of its attempt:
  // the will (applied on an equal time) then outranks its own birth, and the next connection's birth outranks it.
  let attemptAt = Date.now();
  const options: IClientOptions = {
    protocolVersion: 5,
    clientId: `bench-${stationId}`,
    username: o.username,
    password: o.password,
    reconnectPeriod: 2000,
    connectTimeout: 10_000,
    ca: o.ca,
    // The outbox is the queue: nothing is buffered in memory while offline, so nothing is sent twice from two queues.
    queueQoSZero: false,
    will: { topic: statusTopic, payload: Buffer.from(status(false, attemptAt)), qos: 1, retain: true },
    ...(o.onCommand ? { clean: false, properties: { sessionExpiryInterval: SESSION_EXPIRY_S } } : {}),
  };
  const client: MqttClient = mqtt.connect(o.url, options);
  const commands = commandsTopic(stationId);
  if (o.onCommand) receiveCommands(client, commands, o.onCommand, log);
  // mqtt.js emits 'reconnect' just before it writes the next CONNECT from client.options.
  client.on('reconnect', () => {
    attemptAt = Date.now();
    if (client.options.will) client.options.will.payload = Buffer.from(status(false, attemptAt));
  });
  const window = o.window ?? DEFAULT_WINDOW;
  let lastError: string | null = null;
  let draining = false;
  let again = false;
  let closed = false;
  // A drain waiting on acknowledgements of a dead connection may never finish: each connection starts its own.
  let connection = 0;
  let wasConnected = false;

  const fail = (what: string, err: unknown) => {
    const msg = `${what}: ${(err as Error).message ?? err}`;
    if (msg !== lastError) log.warn(`workshop network: ${msg}; the outbox keeps every record until it is sent`);
    lastError = msg;
  };

  async function drainOnce(gen: number): Promise<void> {
    for (;;) {
      const batch = store.outbox.unsent(window);
      if (batch.length === 0 || !client.connected || closed || gen !== connection) return;
      const messages = await Promise.all(
        batch.map((e) =>
          toEvent(
            e,
            stationId,
            (ev) => thumbnailsOf(store.dataDir, ev),
            (id) => referenceSetFileOf(store, id),
          ),
        ),
      );
      // Published in order on one connection; each is marked as its own acknowledgement arrives.
      await Promise.all(
        messages.map((m) =>
          client.publishAsync(events, JSON.stringify(m), { qos: 1 }).then(() => store.outbox.markSent(m.seq)),
        ),
      );
      lastError = null;
    }
  }

  /** One drain at a time; a wake-up during one runs another after it. */
  function drain(): void {
    if (draining) {
      again = true;
      return;
    }
    draining = true;
    again = false;
    const gen = connection;
    drainOnce(gen)
      .catch((err) => {
        // Closing ends the client under a running drain; what it had in flight stays unsent in the outbox.
        if (!closed) fail('publishing the outbox failed', err);
      })
      .finally(() => {
        if (gen !== connection) return; // a newer connection's drain owns the flags now
        draining = false;
        if (again && !closed) drain();
      });
  }

  client.on('connect', () => {
    if (!wasConnected || lastError) log.info(`workshop network: connected to ${o.url} as station '${stationId}'`);
    wasConnected = true;
    lastError = null;
    connection++;
    draining = false;
    client.publish(statusTopic, status(true, attemptAt), { qos: 1, retain: true });
    // Subscribing again on a resumed session changes nothing; on a new one it is what makes it persistent.
    if (o.onCommand)
      client.subscribe(commands, { qos: 1 }, (err) => {
        if (err) fail('subscribing to the commands topic failed', err);
      });
    drain();
  });
  client.on('error', (err) => fail(`broker ${o.url}`, err));
  store.outbox.onAdded(() => {
    if (client.connected) drain();
  });

  return {
    status: () => ({ connected: client.connected, backlog: store.outbox.backlog(), lastError }),
    async close() {
      closed = true;
      if (client.connected) {
        // On a link that died a moment ago the acknowledgement never comes: the goodbye gets a bounded wait, and the
        // will says the same when the broker notices.
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<void>((resolve) => {
          timer = setTimeout(resolve, GOODBYE_WAIT_MS);
        });
        await Promise.race([client.publishAsync(statusTopic, status(false), { qos: 1, retain: true }), late]).catch(
          () => undefined,
        );
        clearTimeout(timer);
      }
      // Forced: what is still in flight is unmarked in the outbox and goes again next start, so nothing waits here.
      await client.endAsync(true);
    },
  };
}
