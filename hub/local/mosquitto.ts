// A private Mosquitto broker in a folder of its own: for the network tests and `npm run workshop`. Everything it
// needs (config, password file, ACL, persistence, log) lives in that folder, so several can run side by side.
import { spawnSync } from 'node:child_process';
import { chmodSync, closeSync, copyFileSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { assertStationId } from '../../station/network/topics.ts';
import { type BrokerTls, brokerAcl, brokerConfig, brokerPaths } from './mosquittoConfig.ts';
import { assertPortFree, freePort, LOOPBACK } from './ports.ts';
import {
  findBinary,
  logSince,
  logSize,
  portAccepts,
  serverControls,
  type LocalServer,
  type Service,
  spawnService,
  stopService,
  waitReady,
} from './service.ts';
import { assertReachable, chownTree, isRoot, systemUser } from './systemUser.ts';

export interface BrokerOptions {
  /** The broker's folder (created if missing); reusing one keeps its persistent sessions. */
  dir: string;
  /** Default: a free port. */
  port?: number;
  hub: { username?: string; password: string };
  /** One broker user per station: the username is the station id. */
  stations: ReadonlyArray<{ id: string; password: string }>;
  /** A TLS listener instead of the plain one. */
  tls?: BrokerTls;
  /** Default 100 000; see mosquittoConfig.ts. */
  maxQueuedMessages?: number;
  /** Default 10 s; see mosquittoConfig.ts. */
  autosaveSeconds?: number;
}

export interface Broker extends LocalServer {
  /** mqtt://127.0.0.1:port, or mqtts:// with TLS. */
  url: string;
  /** SIGTERM: the broker saves its sessions and exits. */
  stop(): Promise<void>;
  /** SIGKILL: a crash; what was not yet autosaved is lost. */
  kill(): Promise<void>;
}

export const DEFAULT_HUB_USERNAME = 'hub';

function writePasswords(file: string, users: ReadonlyArray<[string, string]>): void {
  const passwd = findBinary('mosquitto_passwd', 'mosquitto');
  users.forEach(([username, password], i) => {
    // -c (re)creates the file for the first user, so a restart never keeps a user the options no longer name.
    const args = i === 0 ? ['-c', '-b', file, username, password] : ['-b', file, username, password];
    const r = spawnSync(passwd, args, { encoding: 'utf8' });
    if (r.status !== 0) {
      throw new Error(`mosquitto_passwd could not add '${username}': ${(r.stderr || r.error?.message || '').trim()}`);
    }
  });
}

function copyTls(tls: BrokerTls, into: string): BrokerTls {
  mkdirSync(into, { recursive: true });
  const copy = (file: string) => {
    const to = join(into, basename(file));
    copyFileSync(file, to);
    return to;
  };
  return { certfile: copy(tls.certfile), keyfile: copy(tls.keyfile), cafile: tls.cafile && copy(tls.cafile) };
}

/** Writes the broker's folder: passwords, ACL and config, owned by the broker's user when we are root. */
function prepare(opts: BrokerOptions, dir: string, port: number): void {
  const hubUsername = opts.hub.username ?? DEFAULT_HUB_USERNAME;
  assertStationId(hubUsername);
  for (const s of opts.stations) {
    assertStationId(s.id);
    if (s.id === hubUsername) throw new Error(`a station may not be named like the hub user ('${hubUsername}')`);
  }
  // Mosquitto's config file splits on spaces; a folder whose path has one would be read as something else.
  if (/\s/.test(dir)) throw new Error(`the broker folder's path may not contain spaces (got ${JSON.stringify(dir)})`);
  mkdirSync(dir, { recursive: true });
  const paths = brokerPaths(dir);
  writePasswords(paths.passwords, [
    [hubUsername, opts.hub.password],
    ...opts.stations.map((s): [string, string] => [s.id, s.password]),
  ]);
  chmodSync(paths.passwords, 0o600);
  writeFileSync(paths.acl, brokerAcl(hubUsername));
  // Created here so it is the broker's user's: mosquitto opens its log after dropping root.
  closeSync(openSync(paths.log, 'a'));
  const runAs = isRoot() ? systemUser('mosquitto', 'mosquitto') : undefined;
  const config = brokerConfig({
    dir,
    port,
    runAs: runAs?.name,
    tls: opts.tls && copyTls(opts.tls, paths.tls),
    maxQueuedMessages: opts.maxQueuedMessages ?? 100_000,
    autosaveSeconds: opts.autosaveSeconds ?? 10,
  });
  writeFileSync(paths.config, config);
  if (runAs) {
    assertReachable(dir, runAs);
    chownTree(dir, runAs);
  }
}

export async function startBroker(opts: BrokerOptions): Promise<Broker> {
  const mosquitto = findBinary('mosquitto', 'mosquitto');
  const dir = resolve(opts.dir);
  const port = opts.port ?? (await freePort());
  prepare(opts, dir, port);
  const paths = brokerPaths(dir);
  let service: Service | undefined;

  const launch = async () => {
    await assertPortFree(port, 'mosquitto');
    const logFrom = logSize(paths.log);
    service = spawnService(mosquitto, ['-c', paths.config], { logFile: paths.log, cwd: dir });
    // Mosquitto binds its listener before it loads a TLS certificate, and exits when that fails: a port that
    // accepts is not enough. It logs "running" once every listener is up.
    const ready = async () => / version \S+ running/.test(logSince(paths.log, logFrom)) && (await portAccepts(port));
    await waitReady(service, ready, { name: 'mosquitto', logFile: paths.log }).catch(async (err) => {
      if (service) await stopService(service, 'SIGKILL');
      throw err;
    });
  };
  const stop = async () => {
    if (service) await stopService(service, 'SIGTERM');
  };

  await launch();
  return {
    url: `${opts.tls ? 'mqtts' : 'mqtt'}://${LOOPBACK}:${port}`,
    port,
    dir,
    ...serverControls(() => service, stop, launch),
  };
}
