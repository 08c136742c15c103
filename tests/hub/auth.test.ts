// The hub's lead login, on a real hub: every page and API but /healthz and the login page needs it; POSTs need the
// session's CSRF token; failed logins are limited; the users CLI adds leads to PostgreSQL, and removing one ends
// their session at the next request.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hubUsers } from '../../hub/db/users.ts';
import { runHubUsersCli } from '../../hub/users-cli.ts';
import { verifyPassword } from '../../web/auth/passwords.ts';
import { addLead, HubClient, type HubHarness, LEAD, startHubHarness } from './harness.ts';

let h: HubHarness;

beforeAll(async () => {
  h = await startHubHarness({ auth: { loginMaxFailures: 3, loginWindowMs: 60_000 } });
  await addLead(h);
});
afterAll(async () => {
  await h?.close();
});

describe('without a lead login', () => {
  it.each([
    '/api/stations',
    '/api/review',
    '/api/makers',
    '/api/benches',
    '/api/reference-sets',
    '/api/reference-sets/benches',
  ])('refuses %s with 401', async (url) => {
    const res = await new HubClient(h.url).get(url);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: 'log in first' });
  });

  it.each(['/', '/review', '/makers', '/benches', '/reference-sets'])(
    'answers page %s with 401 and the login page',
    async (url) => {
      const res = await new HubClient(h.url).get(url);
      expect(res.status).toBe(401);
      expect(await res.text()).toContain('/js/hub-login.js');
    },
  );

  it.each(['/api/reference-sets/publish', '/api/reference-sets/activate'])(
    'refuses a POST to %s without a login, even with the session CSRF token',
    async (url) => {
      const c = new HubClient(h.url);
      c.csrf = ((await (await c.get('/api/session')).json()) as { csrfToken: string }).csrfToken;
      const res = await c.post(url, { sha256: 'ab'.repeat(32), station: 'bench-1', stations: ['bench-1'] });
      expect(res.status).toBe(401);
    },
  );

  it('still answers /healthz, the login page and its script', async () => {
    const c = new HubClient(h.url);
    const health = await c.get('/healthz');
    expect(health.status).toBe(200);
    expect(((await health.json()) as { status: string }).status).toBe('ok');
    expect((await c.get('/login')).status).toBe(200);
    expect((await c.get('/assets/style.css')).status).toBe(200);
  });
});

describe('logging in', () => {
  it('needs the CSRF token of the session, even for the login itself', async () => {
    const c = new HubClient(h.url);
    await c.get('/api/session');
    const res = await c.send('POST', '/api/login', { name: LEAD.name, password: LEAD.password });
    expect(res.status).toBe(403);
    expect((await c.get('/api/stations')).status).toBe(401);
  });

  it('lets a lead in with the right password, and out again (with CSRF)', async () => {
    const c = new HubClient(h.url);
    expect((await c.login()).status).toBe(200);
    // Not the station's cookie name: a station on the same host keeps its own session.
    expect(c.cookie).toMatch(/^hub_session=/);
    expect((await c.get('/api/stations')).status).toBe(200);
    expect((await c.get('/review')).status).toBe(200);
    expect((await c.send('POST', '/api/logout')).status).toBe(403);
    expect((await c.get('/api/stations')).status).toBe(200);
    expect((await c.post('/api/logout')).status).toBe(200);
    expect((await c.get('/api/stations')).status).toBe(401);
  });

  it('refuses a wrong password, then limits the attempts', async () => {
    await addLead(h, 'piet', 'slip and wheel 9');
    const c = new HubClient(h.url);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await c.login('piet', 'not the password')).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
    // The right password is limited too until the window passes: a guesser cannot tell it apart.
    expect((await c.login('piet', 'slip and wheel 9')).status).toBe(429);
  });

  it("ends a removed lead's session at their next request", async () => {
    await addLead(h, 'jun', 'raku smoke firing');
    const c = new HubClient(h.url);
    expect((await c.login('jun', 'raku smoke firing')).status).toBe(200);
    expect((await c.get('/api/review')).status).toBe(200);
    await hubUsers(h.hub.pool).remove('jun');
    expect((await c.get('/api/review')).status).toBe(401);
  });
});

describe('npm run hub:users', () => {
  it('adds a lead from a real child process, the password from stdin, stored as a scrypt hash', async () => {
    const tsx = path.resolve('node_modules/.bin/tsx');
    const r = spawnSync(
      tsx,
      ['scripts/hub-users.ts', '--config', h.configFile, 'add', 'sofia', '--role', 'lead', '--password-stdin'],
      { input: 'celadon and ash 7\n', encoding: 'utf8', timeout: 60_000 },
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('added sofia (lead)');
    const user = await hubUsers(h.hub.pool).get('sofia');
    expect(user?.role).toBe('lead');
    expect(user?.passwordHash).toMatch(/^scrypt\$/);
    expect(await verifyPassword('celadon and ash 7', user!.passwordHash)).toBe(true);
    expect((await new HubClient(h.url).login('sofia', 'celadon and ash 7')).status).toBe(200);
  });

  it('lists, changes role, refuses duplicates, weak passwords and unknown roles, removes', async () => {
    const run = async (args: string[], input = '') => {
      const out = new PassThrough();
      const err = new PassThrough();
      let stdout = '';
      let stderr = '';
      out.on('data', (chunk) => (stdout += chunk));
      err.on('data', (chunk) => (stderr += chunk));
      const status = await runHubUsersCli(
        ['--config', h.configFile, ...args],
        { stdin: Readable.from([input]), stdout: out, stderr: err },
        {},
      );
      return { status, stdout, stderr };
    };
    expect((await run(['add', 'sofia'], 'another one 123\n')).stderr).toContain('already exists');
    expect((await run(['add', 'tomas'], 'short\n')).status).toBe(2);
    expect((await run(['add', 'tomas', '--role', 'viewer'], 'glaze kiln 1280\n')).stderr).toContain(
      '--role must be one of lead, admin',
    );
    expect((await run(['role', 'sofia', 'admin'])).status).toBe(0);
    const list = await run(['list']);
    expect(list.stdout).toMatch(/^sofia\tadmin\t/m);
    expect(list.stdout).toMatch(new RegExp(`^${LEAD.name}\\tlead\\t`, 'm'));
    expect((await run(['remove', 'sofia'])).status).toBe(0);
    expect(await hubUsers(h.hub.pool).get('sofia')).toBeUndefined();
    const noConfig = await runHubUsersCli(
      ['list'],
      { stdin: Readable.from(['']), stdout: new PassThrough(), stderr: new PassThrough() },
      {},
    );
    expect(noConfig).toBe(2);
  });
});
