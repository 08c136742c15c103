// A real workshop hub for the tests: a private PostgreSQL and Mosquitto on free ports, the hub composed by startHub
// from a config file (the users CLI reads the same file), and an HTTP client that keeps its cookie and CSRF token.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadHubConfig } from '../../hub/config.ts';
import { startHub, type Hub, type HubOptions } from '../../hub/hub.ts';
import { hubUsers } from '../../hub/db/users.ts';
import { type Broker, startBroker } from '../../hub/local/mosquitto.ts';
import { type Postgres, startPostgres } from '../../hub/local/postgres.ts';
import { hashPassword } from '../../web/auth/passwords.ts';

export const LEAD = { name: 'marta', password: 'kiln glaze 1280' };

export interface HubHarness {
  hub: Hub;
  url: string;
  /** The broker's mqtt:// URL, for clients acting as stations. */
  brokerUrl: string;
  /** The hub's config file, for the users CLI. */
  configFile: string;
  warnings: string[];
  close(): Promise<void>;
}

/** `stations`: broker users (username = station id) for clients that act as benches. */
export async function startHubHarness(
  opts: HubOptions = {},
  stations: ReadonlyArray<{ id: string; password: string }> = [],
): Promise<HubHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'hub-'));
  // PostgreSQL and Mosquitto run as their own system users (as root): they must pass through this folder to theirs.
  chmodSync(dir, 0o711);
  let db: Postgres | undefined;
  let broker: Broker | undefined;
  try {
    db = await startPostgres({ dir: join(dir, 'postgres') });
    broker = await startBroker({ dir: join(dir, 'broker'), hub: { password: 'hub-secret' }, stations });
    writeFileSync(join(dir, 'broker.password'), 'hub-secret');
    const configFile = join(dir, 'hub.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        broker: { url: broker.url, passwordFile: 'broker.password' },
        database: { url: db.connectionString },
        server: { host: '127.0.0.1', port: 0 },
      }),
    );
    const warnings: string[] = [];
    const log = { info: () => {}, warn: (m: string) => warnings.push(m), error: (m: string) => warnings.push(m) };
    const hub = await startHub(loadHubConfig(configFile), log, { clientId: `hub-test-${process.pid}`, ...opts });
    await hub.ingest.ready;
    const [pg, mq] = [db, broker];
    return {
      hub,
      url: hub.url,
      brokerUrl: broker.url,
      configFile,
      warnings,
      async close() {
        await hub.close();
        await mq.stop();
        await pg.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await broker?.stop();
    await db?.stop();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

export async function addLead(h: HubHarness, name = LEAD.name, password = LEAD.password): Promise<void> {
  await hubUsers(h.hub.pool).create({ name, passwordHash: await hashPassword(password), role: 'lead' });
}

/** An HTTP client with a cookie jar of one cookie (the session) and the session's CSRF token. */
export class HubClient {
  cookie = '';
  csrf = '';
  constructor(readonly base: string) {}

  async send(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
    const res = await fetch(this.base + path, {
      method,
      redirect: 'manual',
      headers: {
        ...(this.cookie ? { Cookie: this.cookie } : {}),
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const set = res.headers.get('set-cookie');
    if (set) this.cookie = set.split(';')[0];
    return res;
  }

  get(path: string): Promise<Response> {
    return this.send('GET', path);
  }

  async json<T>(path: string): Promise<T> {
    const res = await this.get(path);
    if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  }

  /** A POST carrying the session's CSRF token, as the dashboard sends it. */
  post(path: string, body: unknown = {}): Promise<Response> {
    return this.send('POST', path, body, this.csrf ? { 'X-CSRF-Token': this.csrf } : {});
  }

  async login(name = LEAD.name, password = LEAD.password): Promise<Response> {
    const s = await this.get('/api/session');
    this.csrf = ((await s.json()) as { csrfToken: string }).csrfToken;
    const res = await this.post('/api/login', { name, password });
    if (res.ok) this.csrf = ((await res.clone().json()) as { csrfToken: string }).csrfToken;
    return res;
  }
}
