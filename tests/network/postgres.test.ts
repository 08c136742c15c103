// The private PostgreSQL instance of hub/local/postgres.ts, run for real on a free port: the hub's role can work in
// its database, committed rows survive a restart and a SIGKILL of the postmaster, and the superuser stays apart.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Postgres, startPostgres } from '../../hub/local/postgres.ts';

let dir: string;
let db: Postgres | undefined;
const open: Client[] = [];

async function connect(connectionString = db!.connectionString): Promise<Client> {
  const client = new Client({ connectionString });
  // A server stopped under a connected client ends its session, which pg reports as an 'error' event.
  client.on('error', () => undefined);
  await client.connect();
  open.push(client);
  return client;
}

async function rows(): Promise<string[]> {
  const client = await connect();
  const r = await client.query('SELECT what FROM inspections ORDER BY seq');
  await client.end();
  return r.rows.map((row) => row.what);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'postgres-'));
  db = await startPostgres({ dir });
});

afterAll(async () => {
  await Promise.all(open.map((c) => c.end().catch(() => undefined)));
  await db?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('a private PostgreSQL', () => {
  it('gives the hub a role of its own that owns its database', async () => {
    expect(db!.connectionString).toMatch(/^postgres:\/\/hub:[^@]+@127\.0\.0\.1:\d+\/benchqa$/);
    const client = await connect();
    const who = await client.query(
      'SELECT current_user, current_database(), rolsuper FROM pg_roles WHERE rolname = current_user',
    );
    expect(who.rows[0]).toEqual({ current_user: 'hub', current_database: 'benchqa', rolsuper: false });
    await client.query('CREATE TABLE inspections (seq integer PRIMARY KEY, what text NOT NULL)');
    await client.query("INSERT INTO inspections VALUES (1, 'committed before the restart')");
    await client.end();
  });

  it('asks for the password', async () => {
    const wrong = db!.connectionString.replace(/:[^:@/]+@/, ':not-it@');
    // 28P01: invalid password.
    await expect(connect(wrong)).rejects.toMatchObject({ code: '28P01' });
  });

  it('keeps committed rows across a restart, on the same port', async () => {
    const port = db!.port;
    await db!.restart();
    expect(db!.port).toBe(port);
    expect(await rows()).toEqual(['committed before the restart']);
  });

  it('recovers committed rows after the postmaster is SIGKILLed', async () => {
    const client = await connect();
    await client.query("INSERT INTO inspections VALUES (2, 'committed before the kill')");
    await db!.kill();
    // Gone for new sessions at once (its open ones may answer a moment longer, until they notice).
    await expect(connect()).rejects.toMatchObject({ code: 'ECONNREFUSED' });

    await db!.restart();
    expect(await rows()).toEqual(['committed before the restart', 'committed before the kill']);
  });

  it('starts again on the same folder with the same connection strings', async () => {
    await db!.stop();
    const again = await startPostgres({ dir, port: db!.port });
    expect(again.connectionString).toBe(db!.connectionString);
    db = again;
    expect(await rows()).toEqual(['committed before the restart', 'committed before the kill']);
  });
});
