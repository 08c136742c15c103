// The hub's logins in PostgreSQL. Only the password hash is kept; hashing (scrypt) belongs to the caller.
import type { Pool } from 'pg';

export const hubRoles = ['lead', 'admin'] as const;
export type HubRole = (typeof hubRoles)[number];

export interface HubUser {
  name: string;
  passwordHash: string;
  role: HubRole;
  createdAt: number;
}

interface Row {
  name: string;
  password_hash: string;
  role: HubRole;
  created_at: string;
}

const fromRow = (r: Row): HubUser => ({
  name: r.name,
  passwordHash: r.password_hash,
  role: r.role,
  createdAt: Number(r.created_at),
});

export function hubUsers(pool: Pool) {
  const mustChange = (changed: number | null, name: string) => {
    if (changed !== 1) throw new Error(`user '${name}' does not exist`);
  };
  return {
    async get(name: string): Promise<HubUser | undefined> {
      const r = await pool.query<Row>('SELECT * FROM hub_users WHERE name = $1', [name]);
      return r.rows[0] ? fromRow(r.rows[0]) : undefined;
    },
    async create(u: { name: string; passwordHash: string; role: HubRole }): Promise<void> {
      await pool.query('INSERT INTO hub_users (name, password_hash, role, created_at) VALUES ($1, $2, $3, $4)', [
        u.name,
        u.passwordHash,
        u.role,
        Date.now(),
      ]);
    },
    async setPasswordHash(name: string, passwordHash: string): Promise<void> {
      const r = await pool.query('UPDATE hub_users SET password_hash = $2 WHERE name = $1', [name, passwordHash]);
      mustChange(r.rowCount, name);
    },
    async setRole(name: string, role: HubRole): Promise<void> {
      mustChange((await pool.query('UPDATE hub_users SET role = $2 WHERE name = $1', [name, role])).rowCount, name);
    },
    async remove(name: string): Promise<void> {
      mustChange((await pool.query('DELETE FROM hub_users WHERE name = $1', [name])).rowCount, name);
    },
    async list(): Promise<HubUser[]> {
      return (await pool.query<Row>('SELECT * FROM hub_users ORDER BY name')).rows.map(fromRow);
    },
  };
}

export type HubUsers = ReturnType<typeof hubUsers>;
