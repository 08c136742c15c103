// Password hashing, sessions, cookies and the login limiter, as units.
import { describe, expect, it } from 'vitest';
import { parseCookies, serializeSessionCookie } from '../../web/auth/cookies.ts';
import { hashPassword, passwordProblem, verifyPassword } from '../../web/auth/passwords.ts';
import { LoginLimits } from '../../web/auth/loginLimits.ts';
import { passwordChecker } from '../../web/auth/passwordChecker.ts';
import { SessionStore } from '../../web/auth/sessions.ts';

const FAST = { N: 1024, r: 8, p: 1 };

describe('passwords', () => {
  it('hashes with scrypt and a random salt, and verifies', async () => {
    const a = await hashPassword('a long password', FAST);
    const b = await hashPassword('a long password', FAST);
    expect(a).toMatch(/^scrypt\$1024\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('a long password', a)).toBe(true);
    expect(await verifyPassword('a long passworD', a)).toBe(false);
    expect(await verifyPassword('a long password', 'plain-text')).toBe(false);
    expect(await verifyPassword('a long password', 'scrypt$0$8$1$AA==$AA==')).toBe(false);
  });

  it('uses strong parameters by default and refuses short passwords', async () => {
    expect(await hashPassword('longenough')).toMatch(/^scrypt\$131072\$8\$1\$/);
    await expect(hashPassword('short')).rejects.toThrow(/at least 8 characters/);
    await expect(hashPassword('Password')).rejects.toThrow(/one of the most common passwords/);
    expect(passwordProblem('ana-the-lead-2026', 'ana')).toMatch(/must not contain the user name/);
    expect(passwordProblem('aaaaaaaaaaab')).toMatch(/repeats too few characters/);
    expect(passwordProblem('glaze and kiln 42', 'ana')).toBeNull();
  });
});

describe('sessions', () => {
  it('expire after the idle time and are found only by their token', () => {
    let now = 1000;
    const store = new SessionStore({ idleMs: 100, now: () => now });
    const { token, session } = store.create({ name: 'ana', role: 'lead' });
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(session.csrfToken).not.toBe(token);
    expect(store.get(token)).toBe(session);
    expect(store.get(`${token}x`)).toBeUndefined();
    now += 99;
    expect(store.get(token)).toBe(session); // refreshes the idle timer
    now += 99;
    expect(store.get(token)).toBe(session);
    now += 101;
    expect(store.get(token)).toBeUndefined();
  });

  it("drops the least recently seen of its own kind when full, and ends all of a user's sessions", () => {
    const store = new SessionStore({ maxSignedIn: 3, maxSessions: 2 });
    const a = store.create({ name: 'a', role: 'viewer' }).token;
    const b = store.create({ name: 'b', role: 'viewer' }).token;
    const c = store.create({ name: 'a', role: 'viewer' }).token;
    store.get(a);
    // Anonymous sessions, however many, never push a signed-in one out.
    const anon = Array.from({ length: 50 }, () => store.create(null).token);
    expect(store.get(anon[0])).toBeUndefined();
    expect(store.get(anon[49])).toBeDefined();
    expect([a, b, c].every((t) => store.get(t) !== undefined)).toBe(true);
    store.create({ name: 'd', role: 'viewer' });
    expect(store.get(a)).toBeUndefined(); // a, b, c were each seen again above in that order: a is the oldest
    store.destroyUser('a');
    expect(store.get(c)).toBeUndefined();
    expect(store.get(b)).toBeDefined();
  });

  it('end at their absolute lifetime however busy', () => {
    let now = 0;
    const store = new SessionStore({ idleMs: 1000, maxAgeMs: 5000, now: () => now });
    const { token } = store.create({ name: 'ana', role: 'lead' });
    for (now = 500; now <= 5000; now += 500) expect(store.get(token)).toBeDefined();
    now = 5001;
    expect(store.get(token)).toBeUndefined();
  });
});

describe('cookies', () => {
  it('parses and serialises the session cookie', () => {
    expect(parseCookies('a=1; qa_session=x%2By; bad; b=%E0')).toEqual(
      new Map([
        ['a', '1'],
        ['qa_session', 'x+y'],
      ]),
    );
    expect(serializeSessionCookie('qa_session', 'tok', { secure: true, maxAgeSeconds: 0 })).toBe(
      'qa_session=tok; Path=/; HttpOnly; SameSite=Strict; Max-Age=0; Secure',
    );
  });
});

describe('login limits', () => {
  it('take attempts atomically: of 40 parallel tries on one account from one address, 5 go through', async () => {
    const l = new LoginLimits({ perAccountAddress: 5, windowMs: 60_000 });
    const waits = await Promise.all(Array.from({ length: 40 }, () => l.take('10.0.0.9', 'Ana')));
    expect(waits.filter((w) => w === 0)).toHaveLength(5);
    expect(Math.min(...waits.filter((w) => w > 0))).toBeGreaterThan(0);
    // The same account from another address is not locked out by that visitor.
    expect(await l.take('10.0.0.7', 'ana')).toBe(0);
  });

  it('one address spraying names is stopped at 4× the per-account limit; a right password clears the pair', async () => {
    const l = new LoginLimits({ perAccountAddress: 2, windowMs: 60_000 });
    const waits = [];
    for (let i = 0; i < 10; i++) waits.push(await l.take('10.0.0.9', `user${i}`));
    expect(waits.filter((w) => w === 0)).toHaveLength(8);
    const m = new LoginLimits({ perAccountAddress: 2, windowMs: 60_000 });
    await m.take('a', 'ana');
    await m.take('a', 'ana');
    await m.succeeded('a', 'ana');
    expect(await m.take('a', 'ana')).toBe(0);
  });

  it('many addresses together slow one account down at 20× the per-address limit', async () => {
    const l = new LoginLimits({ perAccountAddress: 1, windowMs: 60_000 });
    const waits = [];
    for (let i = 0; i < 25; i++) waits.push(await l.take(`10.0.1.${i}`, 'ana'));
    expect(waits.filter((w) => w === 0)).toHaveLength(20);
  });
});

describe('password checker', () => {
  it('checks on a worker thread, one at a time, and refuses beyond its queue', async () => {
    const stored = await hashPassword('a long password', { N: 1 << 12, r: 8, p: 1 });
    const checker = passwordChecker({ maxQueue: 3 });
    try {
      const tries = ['a long password', 'wrong one', 'a long password', 'late'].map((p) =>
        checker.verify(p, stored).then(
          (ok) => ok,
          (err: Error) => err.message,
        ),
      );
      expect(checker.pending).toBe(3);
      expect(await Promise.all(tries)).toEqual([
        true,
        false,
        true,
        expect.stringMatching(/3 logins are being checked; try again/),
      ]);
      expect([...checker.threadIds]).toHaveLength(1);
      expect([...checker.threadIds][0]).not.toBe(0);
      expect(await checker.verify('x', 'plain-text')).toBe(false);
    } finally {
      await checker.close();
    }
  });
});
