import http from 'node:http';
// Access control against a real listening server: logins, roles, CSRF, cookie flags, rate limit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addInspection,
  Client,
  PASSWORD,
  seed,
  startHarness,
  type FakeStation,
  type Harness,
  type HarnessOptions,
} from './harness.ts';

let h: Harness;
let inspectionId: number;

beforeAll(async () => {
  h = await startHarness();
  await seed(h);
  inspectionId = (await addInspection(h, { score: 0.6 })).id;
});
afterAll(() => h.close());

const leadGets = ['/api/makers/stats', '/api/reference-sets/tile', '/review', '/makers', '/reference-sets'];

describe('without login', () => {
  it('answers 401 on lead pages and lead API routes', async () => {
    const c = new Client(h.url);
    for (const url of leadGets) {
      const res = await c.get(url);
      expect(res.status, url).toBe(401);
    }
  });

  it('serves the live page and live data without login', async () => {
    const c = new Client(h.url);
    for (const url of [
      '/',
      '/api/state',
      '/api/products',
      '/api/makers',
      '/api/inspections',
      `/api/inspections/${inspectionId}`,
      '/healthz',
      '/metrics',
    ]) {
      expect((await c.get(url)).status, url).toBe(200);
    }
  });

  it('refuses every state-changing action with 401 even with a valid CSRF token', async () => {
    const c = new Client(h.url);
    await c.session();
    const posts: [string, unknown][] = [
      ['/api/trigger', {}],
      ['/api/select', { productId: 'bowl' }],
      [`/api/inspections/${inspectionId}/review`, { action: 'confirm_defect' }],
      ['/api/reference-sets/tile/calibrate', {}],
      ['/api/reference-sets/tile/activate', { version: 1 }],
    ];
    for (const [url, body] of posts) expect((await c.post(url, body)).status, url).toBe(401);
    expect(h.station.calls).toEqual([]);
  });
});

describe('roles', () => {
  it('gives a viewer the bench actions but 403 on lead pages and routes', async () => {
    const c = new Client(h.url);
    expect((await c.login('bench')).status).toBe(200);
    for (const url of leadGets) expect((await c.get(url)).status, url).toBe(403);
    expect((await c.post(`/api/inspections/${inspectionId}/review`, { action: 'confirm_defect' })).status).toBe(403);
    expect((await c.post('/api/select', { makerId: 'ben' })).status).toBe(200);
    expect(h.station.calls).toContain('select:{"makerId":"ben"}');
  });

  it('lets a lead in', async () => {
    const c = new Client(h.url);
    expect((await c.login('lead1')).status).toBe(200);
    for (const url of leadGets) expect((await c.get(url)).status, url).toBe(200);
  });
});

describe('CSRF', () => {
  it('refuses a forged POST without the token, or with a wrong one, even for a logged-in lead', async () => {
    const c = new Client(h.url);
    await c.login('lead1');
    const noToken = await c.request('POST', `/api/inspections/${inspectionId}/review`, {
      action: 'note',
      note: 'forged',
    });
    expect(noToken.status).toBe(403);
    expect(((await noToken.json()) as { error: string }).error).toMatch(/CSRF/);
    const wrong = await c.request(
      'POST',
      `/api/inspections/${inspectionId}/review`,
      { action: 'note', note: 'forged' },
      { 'X-CSRF-Token': 'x'.repeat(43) },
    );
    expect(wrong.status).toBe(403);
    expect(h.store.reviews.forInspection(inspectionId)).toEqual([]);
    // The same request with the session's token goes through.
    const ok = await c.post(`/api/inspections/${inspectionId}/review`, { action: 'note', note: 'genuine' });
    expect(ok.status).toBe(200);
    expect(h.store.reviews.forInspection(inspectionId).map((r) => [r.note, r.userName])).toEqual([
      ['genuine', 'lead1'],
    ]);
  });

  it("does not accept another session's token", async () => {
    const a = new Client(h.url);
    const b = new Client(h.url);
    await a.login('lead1');
    await b.login('lead1');
    const res = await a.request('POST', '/api/trigger', {}, { 'X-CSRF-Token': b.csrf });
    expect(res.status).toBe(403);
  });

  it('needs the token for the login itself', async () => {
    const c = new Client(h.url);
    await c.session();
    const res = await c.request('POST', '/api/login', { name: 'lead1', password: PASSWORD });
    expect(res.status).toBe(403);
  });
});

describe('sessions', () => {
  it('sets an HttpOnly SameSite=Strict cookie and rotates it at login', async () => {
    const c = new Client(h.url);
    const first = await c.get('/api/session');
    const anon = first.headers.get('set-cookie') ?? '';
    expect(anon).toMatch(/HttpOnly/);
    expect(anon).toMatch(/SameSite=Strict/);
    expect(anon).not.toMatch(/Secure/); // plain http here, cookieSecure 'auto'
    c.cookie = anon.split(';')[0];
    c.csrf = ((await first.json()) as { csrfToken: string }).csrfToken;
    const before = c.cookie;
    const res = await c.post('/api/login', { name: 'lead1', password: PASSWORD });
    expect(res.status).toBe(200);
    expect(c.cookie).not.toBe(before);
    // The pre-login token no longer identifies a session.
    const old = new Client(h.url);
    old.cookie = before;
    expect(((await (await old.get('/api/session')).json()) as { user: unknown }).user).toBeNull();
  });

  it('follows a role change, a password change and a removal at the next request', async () => {
    const hash = h.store.users.get('lead1')!.passwordHash;
    h.store.users.create({ name: 'temp', passwordHash: hash, role: 'lead' });
    const c = new Client(h.url);
    expect((await c.login('temp')).status).toBe(200);
    expect((await c.get('/api/makers/stats')).status).toBe(200);
    h.store.users.setRole('temp', 'viewer');
    expect((await c.get('/api/makers/stats')).status).toBe(403);
    h.store.users.setRole('temp', 'lead');
    h.store.users.setPasswordHash(
      'temp',
      hash.replace(/.$/, (ch) => (ch === 'A' ? 'B' : 'A')),
    );
    expect((await c.get('/api/makers/stats')).status).toBe(401);
    h.store.users.setPasswordHash('temp', hash);
    expect((await c.login('temp')).status).toBe(200);
    h.store.users.remove('temp');
    expect((await c.get('/api/makers/stats')).status).toBe(401);
  });

  it('logs out', async () => {
    const c = new Client(h.url);
    await c.login('lead1');
    expect((await c.post('/api/logout')).status).toBe(200);
    expect((await c.get('/api/makers/stats')).status).toBe(401);
  });

  it('marks the cookie Secure behind an https proxy when configured', async () => {
    const s = await startHarness({ cookieSecure: 'auto', trustProxy: true });
    try {
      const res = await fetch(`${s.url}/api/session`, { headers: { 'X-Forwarded-Proto': 'https' } });
      expect(res.headers.get('set-cookie')).toMatch(/; Secure/);
    } finally {
      await s.close();
    }
  });
});

describe('login', () => {
  it('answers an unknown name like a wrong password', async () => {
    const c = new Client(h.url);
    await c.session();
    const res = await c.post('/api/login', { name: 'nobody', password: 'whatever123' });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: string }).error).toBe('wrong name or password');
  });

  it('refuses a login body of the wrong shape with one 400 line, before any password check', async () => {
    const c = new Client(h.url);
    await c.session();
    for (const body of [
      {},
      { name: 'lead1' },
      { name: '  ', password: PASSWORD },
      { name: 'lead1', password: 7 },
      { name: 'lead1', password: PASSWORD, remember: true },
      { name: 'x'.repeat(65), password: PASSWORD },
    ]) {
      const res = await c.post('/api/login', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(((await res.json()) as { error: string }).error).toBe('send {name, password} as JSON');
    }
  });

  it('rejects a wrong password with 401 and rate-limits repeated failures with 429', async () => {
    await onOwnServer({ loginMaxFailures: 3 }, async (s) => {
      const c = new Client(s.url);
      await c.session();
      for (let i = 0; i < 3; i++)
        expect((await c.post('/api/login', { name: 'bench', password: 'wrong password' })).status).toBe(401);
      const limited = await c.post('/api/login', { name: 'bench', password: PASSWORD });
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    });
  });

  it('a flood of 300 parallel wrong logins gets 5 password checks; the lead still signs in from another address', async () => {
    await onOwnServer({}, async (s) => {
      const c = new Client(s.url);
      await c.session();
      const statuses = await Promise.all(
        Array.from({ length: 300 }, () =>
          c.post('/api/login', { name: 'lead1', password: 'guess-guess' }).then((r) => r.status),
        ),
      );
      const count = (code: number) => statuses.filter((x) => x === code).length;
      expect({ checked: count(401), limited: count(429) }).toEqual({ checked: 5, limited: 295 });
      // The same account from another address: not locked out by that visitor.
      const other = await loginFrom('127.0.0.2', s.url, 'lead1', PASSWORD);
      expect(other.status).toBe(200);
    });
  });

  it("5,000 anonymous sessions do not end a signed-in lead's session", async () => {
    await onOwnServer({}, async (s) => {
      const lead = new Client(s.url);
      expect((await lead.login('lead1')).status).toBe(200);
      for (let batch = 0; batch < 50; batch++) {
        await Promise.all(
          Array.from({ length: 100 }, () => fetch(new URL('/api/session', s.url)).then((r) => r.arrayBuffer())),
        );
      }
      expect(((await (await lead.get('/api/session')).json()) as { user: { name: string } | null }).user?.name).toBe(
        'lead1',
      );
    });
  });
});

/**
 * A seeded server of the test's own, closed whatever happens: the login limits count per address, and the other
 * tests share 127.0.0.1 on the file's server.
 */
async function onOwnServer(opts: HarnessOptions<FakeStation>, run: (s: Harness) => Promise<void>): Promise<void> {
  const s = await startHarness(opts);
  try {
    await seed(s);
    await run(s);
  } finally {
    await s.close();
  }
}

/** Sign in over a connection from `localAddress` (a loopback alias), as a browser on another machine would. */
async function loginFrom(
  localAddress: string,
  base: string,
  name: string,
  password: string,
): Promise<{ status: number }> {
  const { port } = new URL(base);
  const send = (method: string, path: string, headers: Record<string, string>, body?: string) =>
    new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, localAddress, method, path, headers }, (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
      });
      req.on('error', reject);
      req.end(body);
    });
  const session = await send('GET', '/api/session', {});
  const cookie = String(session.headers['set-cookie']![0]).split(';')[0];
  const { csrfToken } = JSON.parse(session.body) as { csrfToken: string };
  return send(
    'POST',
    '/api/login',
    { Cookie: cookie, 'X-CSRF-Token': csrfToken, 'Content-Type': 'application/json' },
    JSON.stringify({ name, password }),
  );
}
