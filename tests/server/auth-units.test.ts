// Password hashing, sessions, cookies and the login limiter, as units.
import { describe, expect, it } from 'vitest';
import { parseCookies, serializeSessionCookie } from '../../station/server/auth/cookies.ts';
import { hashPassword, verifyPassword } from '../../station/server/auth/passwords.ts';
import { LoginRateLimiter } from '../../station/server/auth/rate-limit.ts';
import { SessionStore } from '../../station/server/auth/sessions.ts';

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
    expect(await hashPassword('longenough')).toMatch(/^scrypt\$32768\$8\$1\$/);
    await expect(hashPassword('short')).rejects.toThrow(/at least 8 characters/);
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
    expect(store.get(token + 'x')).toBeUndefined();
    now += 99;
    expect(store.get(token)).toBe(session); // refreshes the idle timer
    now += 99;
    expect(store.get(token)).toBe(session);
    now += 101;
    expect(store.get(token)).toBeUndefined();
  });

  it('drops the least recently seen when full, and ends all of a user\'s sessions', () => {
    const store = new SessionStore({ maxSessions: 3 });
    const a = store.create({ name: 'a', role: 'viewer' }).token;
    const b = store.create({ name: 'b', role: 'viewer' }).token;
    const c = store.create({ name: 'a', role: 'viewer' }).token;
    store.get(a);
    store.create(null);
    expect(store.get(b)).toBeUndefined();
    expect(store.get(a)).toBeDefined();
    store.destroyUser('a');
    expect(store.get(a)).toBeUndefined();
    expect(store.get(c)).toBeUndefined();
  });
});

describe('cookies', () => {
  it('parses and serialises the session cookie', () => {
    expect(parseCookies('a=1; qa_session=x%2By; bad; b=%E0')).toEqual(new Map([['a', '1'], ['qa_session', 'x+y']]));
    expect(serializeSessionCookie('qa_session', 'tok', { secure: true, maxAgeSeconds: 0 })).toBe('qa_session=tok; Path=/; HttpOnly; SameSite=Strict; Max-Age=0; Secure');
  });
});

describe('login limiter', () => {
  it('blocks after N failures in the window and frees up after it', () => {
    let now = 0;
    const l = new LoginRateLimiter({ maxFailures: 2, windowMs: 1000, now: () => now });
    const keys = ['ip:1', 'user:ana'];
    expect(l.retryAfterSeconds(keys)).toBe(0);
    l.recordFailure(keys);
    now = 100;
    l.recordFailure(keys);
    expect(l.retryAfterSeconds(keys)).toBe(1);
    expect(l.retryAfterSeconds(['ip:2', 'user:ana'])).toBe(1); // same account from elsewhere
    expect(l.retryAfterSeconds(['ip:2', 'user:ben'])).toBe(0);
    now = 999;
    expect(l.retryAfterSeconds(keys)).toBe(1);
    now = 1001; // the first failure left the window: one is not enough to block
    expect(l.retryAfterSeconds(keys)).toBe(0);
  });
});
