/**
 * The workshop network's services in one folder: a private Mosquitto broker with one user per station, a private
 * PostgreSQL, and the hub's config file pointing at both (secrets in files beside it). `npm run workshop`, the
 * workshop benchmark and the network failure tests all start them through here. Reusing a folder keeps the data,
 * the broker's sessions and the passwords.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type HubConfig, parseHubConfig } from '../../hub/config.ts';
import { type Broker, startBroker } from '../../hub/local/mosquitto.ts';
import { type Postgres, startPostgres } from '../../hub/local/postgres.ts';

export interface WorkshopServicesOptions {
  dir: string;
  stations: readonly string[];
  /** Ports of the hub's HTTP server (default 0: any free one). */
  hubPort?: number;
  /** Extra PostgreSQL settings (the benchmark keeps the defaults: what a workshop runs). */
  postgresSettings?: Readonly<Record<string, string>>;
  /** Seconds between the broker's saves of its in-memory state (default: hub/local's). */
  autosaveSeconds?: number;
}

export interface WorkshopServices {
  broker: Broker;
  db: Postgres;
  /** The hub's config file, as `npm run hub -- --config <file>` reads it. */
  hubConfigFile: string;
  hubConfig: HubConfig;
  /** The file holding each station's broker password, for its config's network.passwordFile. */
  passwordFile(station: string): string;
  stop(): Promise<void>;
}

/** A secret made once and kept in its file (0600), so a reused folder keeps working. */
function secret(file: string): string {
  if (!existsSync(file)) writeFileSync(file, randomBytes(18).toString('base64url'), { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

export async function startWorkshopServices(o: WorkshopServicesOptions): Promise<WorkshopServices> {
  const dir = resolve(o.dir);
  const secrets = join(dir, 'secrets');
  mkdirSync(dir, { recursive: true }); // parents with the usual mode: the services' users pass through them
  mkdirSync(secrets, { recursive: true, mode: 0o700 });
  // The broker and the database run as their own system users when we are root: they must pass through.
  chmodSync(dir, 0o711);
  const passwordFile = (station: string) => join(secrets, `${station}.password`);
  const hubPassword = join(secrets, 'hub.password');

  const broker = await startBroker({
    dir: join(dir, 'broker'),
    hub: { password: secret(hubPassword) },
    stations: o.stations.map((id) => ({ id, password: secret(passwordFile(id)) })),
    autosaveSeconds: o.autosaveSeconds,
  });
  let db: Postgres;
  try {
    db = await startPostgres({ dir: join(dir, 'postgres'), settings: o.postgresSettings });
  } catch (err) {
    await broker.stop();
    throw err;
  }
  const hubConfigFile = join(dir, 'hub.json');
  const raw = {
    broker: { url: broker.url, username: 'hub', passwordFile: 'secrets/hub.password' },
    // The private instance's connection string carries its password; a real workshop's goes in a passwordFile.
    database: { url: db.connectionString },
    server: { host: '127.0.0.1', port: o.hubPort ?? 0 },
  };
  writeFileSync(hubConfigFile, `${JSON.stringify(raw, null, 2)}\n`, { mode: 0o600 });
  return {
    broker,
    db,
    hubConfigFile,
    hubConfig: parseHubConfig(raw, hubConfigFile, dir),
    passwordFile,
    async stop() {
      await db.stop();
      await broker.stop();
    },
  };
}
