// `npm run users` as a real child process, against a real store in a temp folder.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { runUsersCli } from '../../station/server/users-cli.ts';
import { verifyPassword } from '../../web/auth/passwords.ts';
import { openStore } from '../../station/store/index.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'users-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const tsx = path.resolve('node_modules/.bin/tsx');
const run = (args: string[], input = '') =>
  spawnSync(tsx, ['scripts/users.ts', '--data-dir', dir, ...args], { input, encoding: 'utf8', timeout: 30_000 });

describe('users CLI', () => {
  it('adds a lead with a password read from stdin, stored as a scrypt hash', async () => {
    const r = run(['add', 'marta', '--role', 'lead', '--password-stdin'], 'glaze and kiln 42\n');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const store = openStore(dir);
    try {
      const user = store.users.get('marta')!;
      expect(user.role).toBe('lead');
      expect(user.passwordHash).toMatch(/^scrypt\$/);
      expect(user.passwordHash).not.toContain('glaze');
      expect(await verifyPassword('glaze and kiln 42', user.passwordHash)).toBe(true);
    } finally {
      store.close();
    }
  });

  it('lists, changes role, refuses duplicates and short passwords, removes', async () => {
    // In-process from here on: the same code path without paying for a child process each time.
    const run = async (args: string[], input = '') => {
      const out = new PassThrough();
      const err = new PassThrough();
      let stdout = '';
      let stderr = '';
      out.on('data', (c) => (stdout += c));
      err.on('data', (c) => (stderr += c));
      const status = await runUsersCli(
        ['--data-dir', dir, ...args],
        { stdin: Readable.from([input]), stdout: out, stderr: err },
        {},
      );
      return { status, stdout, stderr };
    };
    // A password holding the user's name is refused; another is fine.
    const named = await run(['add', 'bench'], 'bench password\n');
    expect(named.status).toBe(2);
    expect(named.stderr).toMatch(/must not contain the user name/);
    expect((await run(['add', 'bench'], 'glazed at dawn 7\n')).status).toBe(0);
    expect((await run(['list'])).stdout).toMatch(/bench\tviewer[\s\S]*marta\tlead/);
    const dup = await run(['add', 'bench'], 'another password\n');
    expect(dup.status).toBe(2);
    expect(dup.stderr).toMatch(/user 'bench' already exists/);
    const short = await run(['add', 'tom'], 'short\n');
    expect(short.status).toBe(2);
    expect(short.stderr).toMatch(/at least 8 characters/);
    expect((await run(['role', 'bench', 'admin'])).status).toBe(0);
    expect((await run(['list'])).stdout).toMatch(/bench\tadmin/);
    expect((await run(['remove', 'bench'])).status).toBe(0);
    expect((await run(['list'])).stdout).not.toMatch(/bench/);
    const bad = await run(['add', 'x', '--role', 'king']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--role must be one of viewer, lead, admin/);
  });
});
