// The broker's TLS switch: with a certificate in its options it listens with TLS only, and a client must trust the
// certificate to get in. The certificate is a self-signed one made here by openssl for 127.0.0.1.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Broker, startBroker } from '../../hub/local/mosquitto.ts';
import { ALL_STATIONS, stationTopic } from '../../station/network/topics.ts';
import { Clients, inboxOf, waitUntil } from './mqttClients.ts';

const HUB = { username: 'hub', password: 'hub-secret' };
const ONE = { id: 'bench-1', password: 'one-secret' };

let dir: string;
let certs: string;
let broker: Broker | undefined;
let ca: Buffer;
const clients = new Clients(() => broker!.url);

function selfSigned(into: string): { certfile: string; keyfile: string } {
  const certfile = join(into, 'broker.crt');
  const keyfile = join(into, 'broker.key');
  const made = spawnSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      keyfile,
      '-out',
      certfile,
    ],
    { encoding: 'utf8' },
  );
  if (made.status !== 0) throw new Error(`openssl could not make a certificate: ${made.stderr}`);
  return { certfile, keyfile };
}

beforeAll(async () => {
  // The broker copies the certificate into its own folder, so this one may stay closed to the broker's user.
  certs = mkdtempSync(join(tmpdir(), 'broker-certs-'));
  dir = mkdtempSync(join(tmpdir(), 'broker-tls-'));
  const tls = selfSigned(certs);
  ca = readFileSync(tls.certfile);
  broker = await startBroker({ dir, hub: HUB, stations: [ONE], tls });
});

afterAll(async () => {
  await clients.endAll();
  await broker?.stop();
  for (const d of [dir, certs]) if (d) rmSync(d, { recursive: true, force: true });
});

it('listens with TLS, and carries messages for a client that trusts its certificate', async () => {
  expect(broker!.url).toMatch(/^mqtts:\/\/127\.0\.0\.1:\d+$/);
  const hub = await clients.connect(HUB.username, HUB.password, { ca });
  const seen = inboxOf(hub);
  await hub.subscribeAsync(ALL_STATIONS, { qos: 1 });
  const one = await clients.connect(ONE.id, ONE.password, { ca });
  await one.publishAsync(stationTopic(ONE.id, 'inspections'), 'over tls', { qos: 1 });
  await waitUntil(() => seen.length > 0, 'the message over TLS');
  expect(seen[0].payload).toBe('over tls');
});

it('refuses a client that does not trust the certificate', async () => {
  await expect(clients.connect(ONE.id, ONE.password)).rejects.toThrow(/self[- ]signed/i);
});

it('still asks for the password over TLS', async () => {
  await expect(clients.connect(ONE.id, 'not-it', { ca })).rejects.toMatchObject({ code: 135 });
});
