/**
 * The workshop hub, composed: PostgreSQL (migrated), the broker subscription that fills it, and the HTTP server.
 * `hub/main.ts` runs it from a config file; tests start it on their own broker and database.
 */
import type { Server } from 'node:http';
import express from 'express';
import pg from 'pg';
import { hubPath, readHubSecret, type HubConfig } from './config.ts';
import { migrateHub } from './db/migrations.ts';
import { startIngest, type Ingest } from './ingest.ts';
import { readFileSync } from 'node:fs';
import { commandSender } from './commands.ts';
import { referenceSetRoutes } from './routes/referenceSets.ts';

export interface Hub {
  url: string;
  pool: pg.Pool;
  ingest: Ingest;
  close(): Promise<void>;
}

export interface HubLog {
  info(msg: string): void;
  warn(msg: string): void;
}

export async function startHub(config: HubConfig, log: HubLog, opts: { clientId?: string } = {}): Promise<Hub> {
  const pool = new pg.Pool({
    connectionString: config.database.url,
    password: config.database.passwordFile
      ? readHubSecret(config, config.database.passwordFile, 'database.passwordFile')
      : undefined,
    max: 4,
  });
  // An idle client losing its server (PostgreSQL restarted) is not fatal: the next query gets a new one.
  pool.on('error', (err) => log.warn(`hub: database connection lost (${err.message}); reconnecting on next use`));
  const applied = await migrateHub(pool);
  if (applied.length) log.info(`hub: database schema migrated to version ${applied.at(-1)}`);

  const ingest = startIngest({
    pool,
    url: config.broker.url,
    username: config.broker.username,
    password: readHubSecret(config, config.broker.passwordFile, 'broker.passwordFile'),
    ca: config.broker.caFile ? readFileSync(hubPath(config, config.broker.caFile)) : undefined,
    clientId: opts.clientId,
    log,
  });

  const app = express();
  app.get('/healthz', (_req, res) => {
    const s = ingest.stats();
    res
      .status(s.connected && !s.lastError ? 200 : 503)
      .json({ status: s.connected && !s.lastError ? 'ok' : 'degraded', ingest: s });
  });
  // Not yet behind a lead login: mount it behind the hub's sessions once they exist.
  app.use('/api/reference-sets', referenceSetRoutes({ pool, send: commandSender(ingest.client) }));
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(config.server.port, config.server.host, () => resolve(s));
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.server.port;
  const host = config.server.host === '0.0.0.0' ? '127.0.0.1' : config.server.host;

  return {
    url: `http://${host}:${port}`,
    pool,
    ingest,
    async close() {
      await ingest.close();
      await new Promise<void>((r) => server.close(() => r()));
      await pool.end();
    },
  };
}
