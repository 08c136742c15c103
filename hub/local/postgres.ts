// A private PostgreSQL instance in a folder of its own, for the network tests and `npm run workshop`: its data,
// socket, log and passwords all live there, it listens on 127.0.0.1 only, and nothing needs /var/run or root.
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Client, escapeIdentifier, escapeLiteral } from 'pg';
import { freePort, LOOPBACK, assertPortFree } from './ports.ts';
import { assertDataMatches, findPostgres } from './postgresBinaries.ts';
import {
  type LocalServer,
  type Service,
  serverControls,
  spawnService,
  stopService,
  waitReady,
  withLog,
} from './service.ts';
import { assertReachable, chownTree, isRoot, type SystemUser, systemUser } from './systemUser.ts';

export interface PostgresOptions {
  /** The instance's folder (created if missing); reusing one keeps its data and passwords. */
  dir: string;
  /** Default: a free port. */
  port?: number;
  /** The hub's database and the role that owns it; defaults 'benchqa' and 'hub'. */
  database?: string;
  role?: string;
  /** Extra server settings for every start (`-c name=value`), e.g. { synchronous_commit: 'off' } for a bench. */
  settings?: Readonly<Record<string, string>>;
}

export interface Postgres extends LocalServer {
  /** postgres://hub:…@127.0.0.1:port/benchqa: what the hub connects with. */
  connectionString: string;
  /** The superuser's, for tests and set-up only. */
  adminConnectionString: string;
  /** A fast shutdown (SIGINT): sessions are ended, everything committed is on disk. */
  stop(): Promise<void>;
  /** SIGKILL the postmaster: a crash, recovered from the write-ahead log at the next start. */
  kill(): Promise<void>;
}

const ADMIN = 'postgres';
// The longest path a Unix socket may have on Linux (sun_path is 108 bytes with its terminating zero).
const SOCKET_PATH_MAX = 107;

const paths = (dir: string) => ({
  data: join(dir, 'data'),
  log: join(dir, 'postgres.log'),
  adminPassword: join(dir, 'admin.password'),
  rolePassword: join(dir, 'role.password'),
});

/** A password kept in the folder, made once: a reused folder keeps working with the same connection strings. */
function password(file: string, owner: SystemUser | undefined): string {
  if (!existsSync(file)) {
    writeFileSync(file, randomBytes(24).toString('base64url'), { mode: 0o600 });
    if (owner) chownSync(file, owner.uid, owner.gid);
  }
  return readFileSync(file, 'utf8').trim();
}

const url = (user: string, pass: string, port: number, db: string) =>
  `postgres://${encodeURIComponent(user)}:${encodeURIComponent(pass)}@${LOOPBACK}:${port}/${encodeURIComponent(db)}`;

function initdb(binDir: string, dir: string, owner: SystemUser | undefined): void {
  const p = paths(dir);
  const r = spawnSync(
    join(binDir, 'initdb'),
    // scram-sha-256 for local and host alike: every login needs its password, none is trusted by socket.
    ['-D', p.data, '-U', ADMIN, `--pwfile=${p.adminPassword}`, '--auth=scram-sha-256', '-E', 'UTF8', '--locale=C'],
    { cwd: dir, encoding: 'utf8', uid: owner?.uid, gid: owner?.gid },
  );
  if (r.status !== 0) {
    throw new Error(`initdb failed in ${p.data}: ${(r.stderr || r.stdout || r.error?.message || '').trim()}`);
  }
}

/** Creates the hub's role and database when missing, and sets the role's password to the folder's. */
async function ensureHubRole(adminUrl: string, role: string, rolePassword: string, database: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const hasRole = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
    const verb = hasRole.rowCount ? 'ALTER' : 'CREATE';
    await client.query(`${verb} ROLE ${escapeIdentifier(role)} LOGIN PASSWORD ${escapeLiteral(rolePassword)}`);
    const hasDb = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (!hasDb.rowCount) {
      await client.query(`CREATE DATABASE ${escapeIdentifier(database)} OWNER ${escapeIdentifier(role)}`);
    }
  } finally {
    await client.end();
  }
}

/** True once the server accepts a real login; false while it is still coming up; throws when it refuses. */
async function accepts(adminUrl: string): Promise<boolean> {
  const client = new Client({ connectionString: adminUrl, connectionTimeoutMillis: 2000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch (err) {
    // The server's own refusals (a SQLSTATE: a wrong password, a missing database) will not pass by waiting, except
    // 57P03, "starting up" or recovering after a crash; a socket refused or reset means it is not listening yet.
    const code = (err as { code?: string }).code ?? '';
    if (/^[0-9A-Z]{5}$/.test(code) && code !== '57P03') throw err;
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Refuses what would break the server's own settings before anything is written. */
function checkFolder(dir: string, port: number): void {
  // unix_socket_directories is a comma-separated list and the socket path has a hard length limit.
  if (/[\s,]/.test(dir)) throw new Error(`the PostgreSQL folder's path may not contain spaces or commas: ${dir}`);
  const socket = join(dir, `.s.PGSQL.${port}`);
  if (socket.length > SOCKET_PATH_MAX) {
    throw new Error(`the PostgreSQL folder's path is too long for its socket (${socket.length} > ${SOCKET_PATH_MAX})`);
  }
}

export async function startPostgres(opts: PostgresOptions): Promise<Postgres> {
  const pg = findPostgres();
  const dir = resolve(opts.dir);
  const p = paths(dir);
  const port = opts.port ?? (await freePort());
  const database = opts.database ?? 'benchqa';
  const role = opts.role ?? 'hub';
  if (role === ADMIN) throw new Error(`the hub's role may not be the superuser '${ADMIN}'`);
  checkFolder(dir, port);
  await assertPortFree(port, 'PostgreSQL');
  // PostgreSQL refuses to run as root; Debian's package made 'postgres' for it.
  const owner = isRoot() ? systemUser('postgres', 'postgresql') : undefined;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (owner) assertReachable(dir, owner);
  assertDataMatches(p.data, pg);
  const adminUrl = url(ADMIN, password(p.adminPassword, owner), port, 'postgres');
  const rolePassword = password(p.rolePassword, owner);
  if (!existsSync(join(p.data, 'PG_VERSION'))) {
    if (owner) chownTree(dir, owner);
    initdb(pg.binDir, dir, owner);
  }

  const args = ['-D', p.data, '-p', String(port), '-c', `listen_addresses=${LOOPBACK}`];
  args.push('-c', `unix_socket_directories=${dir}`);
  for (const [name, value] of Object.entries(opts.settings ?? {})) args.push('-c', `${name}=${value}`);
  let service: Service | undefined;

  const launch = async () => {
    await assertPortFree(port, 'PostgreSQL');
    for (let attempt = 1; ; attempt++) {
      service = spawnService(join(pg.binDir, 'postgres'), args, {
        logFile: p.log,
        cwd: dir,
        uid: owner?.uid,
        gid: owner?.gid,
      });
      try {
        await waitReady(service, () => accepts(adminUrl), { name: 'PostgreSQL', logFile: p.log, timeoutMs: 60_000 });
        return;
      } catch (err) {
        await stopService(service, 'SIGKILL');
        // After a SIGKILL the old server's backends may hold its shared memory a moment longer, and a new server
        // refuses to start beside them; they exit as soon as they notice their postmaster is gone.
        if (attempt < 20 && /pre-existing shared memory block/.test(String(err))) {
          await new Promise((r) => setTimeout(r, 250));
          continue;
        }
        throw err;
      }
    }
  };
  const stop = async () => {
    if (service) await stopService(service, 'SIGINT', 30_000);
  };

  await launch();
  await ensureHubRole(adminUrl, role, rolePassword, database).catch(async (err) => {
    await stop();
    throw withLog(`PostgreSQL: could not set up role '${role}' and database '${database}': ${err.message}`, p.log);
  });
  return {
    connectionString: url(role, rolePassword, port, database),
    adminConnectionString: adminUrl,
    port,
    dir,
    ...serverControls(() => service, stop, launch),
  };
}
