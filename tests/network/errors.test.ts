// What the local services say when they cannot start: each failure names its cause (a taken port, a binary that is
// not installed, a configuration the broker rejected with its own log's words), and leaves no process behind.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBroker } from '../../hub/local/mosquitto.ts';
import { freePort, LOOPBACK } from '../../hub/local/ports.ts';
import { startPostgres } from '../../hub/local/postgres.ts';
import { findBinary, portAccepts } from '../../hub/local/service.ts';

let dir: string;
let taken: Server;
let takenPort: number;
const CREDENTIALS = { hub: { password: 'hub-secret' }, stations: [{ id: 'bench-1', password: 'one-secret' }] };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'services-errors-'));
  // The services' folders are made inside it, and as root each runs as its own user, who must pass through.
  chmodSync(dir, 0o711);
  takenPort = await freePort();
  taken = createServer();
  await new Promise<void>((resolve) => taken.listen(takenPort, LOOPBACK, resolve));
});

afterAll(async () => {
  await new Promise((resolve) => taken?.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

describe('when a local service cannot start', () => {
  it('the broker names the port that is already in use', async () => {
    await expect(startBroker({ dir: join(dir, 'broker'), port: takenPort, ...CREDENTIALS })).rejects.toThrow(
      `mosquitto: port ${takenPort} on 127.0.0.1 is already in use`,
    );
  });

  it('PostgreSQL names the port that is already in use', async () => {
    await expect(startPostgres({ dir: join(dir, 'postgres'), port: takenPort })).rejects.toThrow(
      `PostgreSQL: port ${takenPort} on 127.0.0.1 is already in use`,
    );
  });

  it('the broker shows the end of its log when it rejects its configuration', async () => {
    const junk = join(dir, 'junk.pem');
    writeFileSync(junk, 'not a certificate\n');
    const port = await freePort();
    const tls = { certfile: junk, keyfile: junk };
    const failing = startBroker({ dir: join(dir, 'bad-tls'), port, ...CREDENTIALS, tls });
    // Mosquitto's own words for the certificate it could not load, after ours.
    await expect(failing).rejects.toThrow(/mosquitto stopped while starting[\s\S]*mosquitto\.log:\n[\s\S]*Error/);
    expect(await portAccepts(port)).toBe(false);
  });

  it('a missing program names the Debian package to install', () => {
    expect(() => findBinary('mosquitto-not-here', 'mosquitto')).toThrow(
      'mosquitto-not-here is not installed: install the Debian package with `apt-get install mosquitto`',
    );
  });

  it('a station id that would escape its topic is refused before anything starts', async () => {
    const stations = [{ id: 'bench/+', password: 'x' }];
    await expect(startBroker({ dir: join(dir, 'bad-id'), hub: CREDENTIALS.hub, stations })).rejects.toThrow(
      /station id must be/,
    );
  });
});
