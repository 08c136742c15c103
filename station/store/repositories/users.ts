// Dashboard logins. The store keeps only the password hash; hashing (scrypt) belongs to the caller.
import { requireOneOf, requireText, type Db } from './common.ts';

export const userRoles = ['viewer', 'lead', 'admin'] as const;
export type UserRole = (typeof userRoles)[number];

export interface User {
  name: string;
  passwordHash: string;
  role: UserRole;
  createdAt: number;
}

interface Row {
  name: string;
  password_hash: string;
  role: UserRole;
  created_at: number;
}

const fromRow = (r: Row): User => ({
  name: r.name,
  passwordHash: r.password_hash,
  role: r.role,
  createdAt: r.created_at,
});

export function usersRepo(db: Db) {
  const getStmt = db.prepare('SELECT * FROM users WHERE name = ?');
  const insert = db.prepare(
    'INSERT INTO users (name, password_hash, role, created_at) VALUES (@name, @hash, @role, @now) RETURNING *',
  );
  const setHash = db.prepare('UPDATE users SET password_hash = ? WHERE name = ?');
  const setRole = db.prepare('UPDATE users SET role = ? WHERE name = ?');
  const remove = db.prepare('DELETE FROM users WHERE name = ?');
  const listStmt = db.prepare('SELECT * FROM users ORDER BY name');

  const mustChange = (changes: number, name: string) => {
    if (changes !== 1) throw new Error(`user '${name}' does not exist`);
  };

  return {
    create(input: { name: string; passwordHash: string; role: UserRole }, now = Date.now()): User {
      const name = requireText(input.name, 'user name');
      if (getStmt.get(name)) throw new Error(`user '${name}' already exists; change the password instead`);
      const row = insert.get({
        name,
        hash: requireText(input.passwordHash, `password hash of user '${name}'`),
        role: requireOneOf(input.role, userRoles, `role of user '${name}'`),
        now,
      }) as Row;
      return fromRow(row);
    },
    get(name: string): User | undefined {
      const row = getStmt.get(name) as Row | undefined;
      return row && fromRow(row);
    },
    list(): Omit<User, 'passwordHash'>[] {
      return (listStmt.all() as Row[]).map(({ name, role, created_at }) => ({ name, role, createdAt: created_at }));
    },
    setPasswordHash(name: string, passwordHash: string): void {
      mustChange(setHash.run(requireText(passwordHash, `password hash of user '${name}'`), name).changes, name);
    },
    setRole(name: string, role: UserRole): void {
      mustChange(setRole.run(requireOneOf(role, userRoles, `role of user '${name}'`), name).changes, name);
    },
    remove(name: string): void {
      mustChange(remove.run(name).changes, name);
    },
  };
}

export type UsersRepo = ReturnType<typeof usersRepo>;
