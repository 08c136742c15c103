// The hub's PostgreSQL pool from its config, migrated to the latest schema: for the hub itself and its users CLI.
import pg from 'pg';
import { type HubConfig, readHubSecret } from '../config.ts';
import { migrateHub } from './migrations.ts';

export async function openHubDatabase(
  config: HubConfig,
  log: { info(msg: string): void; warn(msg: string): void },
  max = 4,
): Promise<pg.Pool> {
  const pool = new pg.Pool({
    connectionString: config.database.url,
    password: config.database.passwordFile
      ? readHubSecret(config, config.database.passwordFile, 'database.passwordFile')
      : undefined,
    max,
  });
  // An idle client losing its server (PostgreSQL restarted) is not fatal: the next query gets a new one.
  pool.on('error', (err) => log.warn(`hub: database connection lost (${err.message}); reconnecting on next use`));
  try {
    const applied = await migrateHub(pool);
    if (applied.length) log.info(`hub: database schema migrated to version ${applied.at(-1)}`);
  } catch (err) {
    await pool.end();
    throw err;
  }
  return pool;
}
