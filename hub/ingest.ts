/**
 * The hub's ear on the broker: a persistent session (it hears what stations sent while it was down) whose
 * acknowledgements wait for PostgreSQL. A message is acknowledged only after its row is committed, so a hub killed
 * mid-write gets the message again; the (station, seq) key makes the second write a no-op. While PostgreSQL is down
 * the hub retries and holds the rest back (the broker keeps them), rather than acknowledging what it did not store.
 */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Pool } from 'pg';
import type { z } from 'zod';
import { eventMessage, statusMessage } from '../station/network/messages.ts';
import { allStations, EVENTS, parseStationTopic, STATUS } from '../station/network/topics.ts';
import { eventFault, recordEvent, recordRefused, recordStatus } from './db/record.ts';

export interface IngestOptions {
  pool: Pool;
  url: string;
  username: string;
  password: string;
  ca?: Buffer;
  /** One per hub: the broker keeps this session's messages while the hub is away. */
  clientId?: string;
  log: { info(msg: string): void; warn(msg: string): void };
}

export interface IngestStats {
  received: number;
  recorded: number;
  duplicates: number;
  refused: number;
  connected: boolean;
  lastError: string | null;
}

export interface Ingest {
  /** Resolves once subscribed. */
  ready: Promise<void>;
  /** The hub's one broker connection, which also sends the stations' commands (hub/commands.ts). */
  client: MqttClient;
  stats(): IngestStats;
  close(): Promise<void>;
}

const SESSION_EXPIRY_S = 7 * 24 * 3600;
const RETRY_MAX_MS = 5000;

function parse<S extends z.ZodType>(schema: S, text: string): { ok: z.output<S> } | { refused: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { refused: 'not JSON' };
  }
  const r = schema.safeParse(raw);
  return r.success
    ? { ok: r.data }
    : { refused: r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
}

export function startIngest(o: IngestOptions): Ingest {
  const stats: IngestStats = { received: 0, recorded: 0, duplicates: 0, refused: 0, connected: false, lastError: null };
  let closing = false;
  const options: IClientOptions = {
    protocolVersion: 5,
    clientId: o.clientId ?? 'workshop-hub',
    clean: false,
    properties: { sessionExpiryInterval: SESSION_EXPIRY_S },
    username: o.username,
    password: o.password,
    ca: o.ca,
    reconnectPeriod: 1000,
  };
  const client: MqttClient = mqtt.connect(o.url, options);

  /** Until it is stored: a database outage holds the message (and those behind it) instead of losing it. */
  async function untilStored(work: () => Promise<void>): Promise<boolean> {
    for (let wait = 200; !closing; wait = Math.min(RETRY_MAX_MS, wait * 2)) {
      try {
        await work();
        if (stats.lastError) o.log.info('hub: the database answers again; catching up');
        stats.lastError = null;
        return true;
      } catch (err) {
        const msg = `writing to the database failed: ${(err as Error).message}`;
        if (msg !== stats.lastError) o.log.warn(`hub: ${msg}; retrying, nothing is acknowledged meanwhile`);
        stats.lastError = msg;
        await new Promise((r) => setTimeout(r, wait));
      }
    }
    return false;
  }

  async function handle(topic: string, text: string): Promise<boolean> {
    stats.received++;
    const where = parseStationTopic(topic);
    const refuse = (reason: string) =>
      untilStored(async () => {
        await recordRefused(o.pool, topic, reason, text);
        stats.refused++;
        o.log.warn(`hub: refused a message on ${topic}: ${reason}`);
      });
    if (!where) return refuse('not a station topic');
    const parsed = parse(where.leaf === STATUS ? statusMessage : eventMessage, text);
    if ('refused' in parsed) return refuse(parsed.refused);
    // The broker's ACL lets a station write only under its own id; the message must say the same.
    if (parsed.ok.station !== where.stationId)
      return refuse(`station ${parsed.ok.station} on ${where.stationId}'s topic`);
    if (where.leaf === STATUS)
      return untilStored(() => recordStatus(o.pool, parsed.ok as z.output<typeof statusMessage>));
    const event = parsed.ok as z.output<typeof eventMessage>;
    const fault = eventFault(event);
    if (fault) return refuse(fault);
    return untilStored(async () => {
      const r = await recordEvent(o.pool, event);
      if (r === 'new') stats.recorded++;
      else stats.duplicates++;
    });
  }

  // mqtt.js sends the PUBACK when this calls back: only after the row is committed.
  client.handleMessage = (packet, done) => {
    if (packet.cmd !== 'publish') return done();
    void handle(packet.topic, packet.payload.toString()).then((stored) => {
      if (stored) done(); // closing mid-retry: no acknowledgement, the broker sends it again next session
    });
  };

  const ready = new Promise<void>((resolve) => {
    client.on('connect', () => {
      stats.connected = true;
      client
        .subscribeAsync({ [allStations(EVENTS)]: { qos: 1 }, [allStations(STATUS)]: { qos: 1 } })
        .then(() => resolve())
        .catch((err) => o.log.warn(`hub: subscribing failed: ${(err as Error).message}`));
    });
  });
  client.on('close', () => {
    stats.connected = false;
  });
  client.on('error', (err) => {
    const msg = `broker ${o.url}: ${err.message}`;
    if (msg !== stats.lastError) o.log.warn(`hub: ${msg}`);
    stats.lastError = msg;
  });

  return {
    ready,
    client,
    stats: () => ({ ...stats }),
    async close() {
      closing = true;
      await client.endAsync(true);
    },
  };
}
