/**
 * The workshop hub, composed: PostgreSQL (migrated), the broker subscription that fills it, and the HTTP server.
 * `hub/main.ts` runs it from a config file; tests start it on their own broker and database.
 */
import { readFileSync } from 'node:fs';
import type pg from 'pg';
import type { AuthOptions } from '../web/auth/index.ts';
import { commandSender } from './commands.ts';
import { hubPath, readHubSecret, type HubConfig } from './config.ts';
import { openHubDatabase } from './db/open.ts';
import { startIngest, type Ingest } from './ingest.ts';
import { createHubServer } from './server/index.ts';

export interface Hub {
  url: string;
  pool: pg.Pool;
  ingest: Ingest;
  close(): Promise<void>;
}

export interface HubLog {
  info(msg: string): void;
  warn(msg: string): void;
  /** A request that failed inside the hub (with its stack in `extra`); warn() when absent. */
  error?(msg: string, extra?: Record<string, unknown>): void;
}

export interface HubOptions {
  clientId?: string;
  /** Defaults to the project's dashboard/ folder. */
  dashboardDir?: string;
  /** Login sessions and limits (tests shorten them). */
  auth?: AuthOptions;
}

export async function startHub(config: HubConfig, log: HubLog, opts: HubOptions = {}): Promise<Hub> {
  const pool = await openHubDatabase(config, log);

  const ingest = startIngest({
    pool,
    url: config.broker.url,
    username: config.broker.username,
    password: readHubSecret(config, config.broker.passwordFile, 'broker.passwordFile'),
    ca: config.broker.caFile ? readFileSync(hubPath(config, config.broker.caFile)) : undefined,
    clientId: opts.clientId,
    log,
  });

  const web = createHubServer({
    ...opts.auth,
    pool,
    ingest,
    send: commandSender(ingest.client),
    dashboardDir: opts.dashboardDir,
    log: {
      warn: (msg) => log.warn(msg),
      error: (msg, extra) => (log.error ? log.error(msg, extra) : log.warn(`${msg} ${extra?.error ?? ''}`)),
    },
  });
  const server = await web.listen(config.server.port, config.server.host);
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.server.port;
  const host = config.server.host === '0.0.0.0' ? '127.0.0.1' : config.server.host;

  return {
    url: `http://${host}:${port}`,
    pool,
    ingest,
    async close() {
      await ingest.close();
      await web.close();
      await pool.end();
    },
  };
}
