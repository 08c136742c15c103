// Logins, sessions, roles and CSRF for an HTTP API: the station's and the hub's alike. Each server brings its own
// user directory (the station's SQLite users, the hub's PostgreSQL hub_users); everything else is this one module.
//
// - Every visitor gets a server-side session on GET /api/session (anonymous until login), so even
//   the login POST carries a CSRF token. Login rotates the session token (no fixation).
// - Cookie: HttpOnly, SameSite=Strict, Secure when the request came over https (or always/never).
// - Every POST needs the session's token in X-CSRF-Token, compared in constant time.
import { createHash, timingSafeEqual } from 'node:crypto';
import { Router, type Request, type RequestHandler, type Response } from 'express';
import { HttpError } from '../http-error.ts';
import { parseCookies, serializeSessionCookie } from './cookies.ts';
import { loginBody } from './loginBody.ts';
import { LoginLimits } from './loginLimits.ts';
import { CheckerBusyError, passwordChecker } from './passwordChecker.ts';
import { dummyPasswordHash } from './passwords.ts';
import { SessionStore, type Role, type Session } from './sessions.ts';

export const SESSION_COOKIE = 'qa_session';
export const CSRF_HEADER = 'x-csrf-token';
export const LEAD_ROLES: readonly Role[] = ['lead', 'admin'];

/** A login as the server's user directory keeps it: only the password's hash. */
export interface AuthUser {
  name: string;
  passwordHash: string;
  role: Role;
}

/**
 * Where logins are looked up, on every request (so a user removed or changed by a CLI in another process counts at
 * once). The station's SQLite answers at once; the hub's PostgreSQL answers with a promise.
 */
export interface UserDirectory {
  get(name: string): AuthUser | undefined | Promise<AuthUser | undefined>;
}

export interface AuthOptions {
  /**
   * The session cookie's name (default SESSION_COOKIE). Cookies ignore ports: a hub and a station on one host need
   * names of their own, or signing in to one signs out of the other.
   */
  cookieName?: string;
  /** true: always Secure; false: never; 'auto': when the request arrived over https (req.secure). */
  cookieSecure?: boolean | 'auto';
  sessionIdleMs?: number;
  /** Login attempts one account gets from one address per window (see loginLimits.ts). */
  loginMaxFailures?: number;
  loginWindowMs?: number;
}

export interface Auth {
  sessions: SessionStore;
  /** Reads the cookie; puts the session (if any) on res.locals. */
  attach: RequestHandler;
  /** The live session a Cookie header names (a socket.io handshake's, say), checked as for a request. */
  sessionFor(cookieHeader: string | undefined): Promise<Session | undefined>;
  /** Refuses state-changing requests without the session's CSRF token (403). */
  csrf: RequestHandler;
  /** 401 without a login, 403 when the role is not allowed. */
  requireRole(roles?: readonly Role[]): RequestHandler;
  routes: Router;
  /** Stops the login password checker's worker thread. */
  close(): Promise<void>;
}

export function sessionOf(res: Response): Session | undefined {
  return res.locals.session as Session | undefined;
}

export function userOf(res: Response): { name: string; role: Role } {
  const user = sessionOf(res)?.user;
  if (!user) throw new HttpError(401, 'log in first');
  return user;
}

/** Whether the session may see a page/route for these roles: 'ok', 'login' (401) or 'forbidden' (403). */
export function access(session: Session | undefined, roles?: readonly Role[]): 'ok' | 'login' | 'forbidden' {
  if (!session?.user) return 'login';
  if (roles && !roles.includes(session.user.role)) return 'forbidden';
  return 'ok';
}

const credentialTag = (passwordHash: string) =>
  createHash('sha256').update(passwordHash).digest('base64url').slice(0, 16);

const sameToken = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

export function createAuth(users: UserDirectory, opts: AuthOptions = {}): Auth {
  const cookieName = opts.cookieName ?? SESSION_COOKIE;
  const sessions = new SessionStore({ idleMs: opts.sessionIdleMs });
  const limits = new LoginLimits({ perAccountAddress: opts.loginMaxFailures, windowMs: opts.loginWindowMs });
  const passwords = passwordChecker();
  const secureFor = (req: Request) =>
    opts.cookieSecure === 'auto' || opts.cookieSecure === undefined ? req.secure : opts.cookieSecure;

  const setCookie = (req: Request, res: Response, token: string) =>
    res.setHeader('Set-Cookie', serializeSessionCookie(cookieName, token, { secure: secureFor(req) }));

  const fromCookies = async (
    cookieHeader: string | undefined,
  ): Promise<{ session: Session; token: string } | undefined> => {
    const token = parseCookies(cookieHeader).get(cookieName);
    const session = sessions.get(token);
    if (!session || !token) return undefined;
    // The users CLI runs in another process: re-read the user so a removal, a password change
    // or a role change takes effect on the next request, not at the next restart.
    if (session.user) {
      const current = await users.get(session.user.name);
      if (!current || session.credentialTag !== credentialTag(current.passwordHash)) {
        sessions.destroy(token);
        return undefined;
      }
      session.user.role = current.role;
    }
    return { session, token };
  };

  const attach: RequestHandler = async (req, res, next) => {
    const found = await fromCookies(req.headers.cookie);
    if (found) {
      res.locals.session = found.session;
      res.locals.sessionToken = found.token;
    }
    next();
  };

  const csrf: RequestHandler = (req, res, next) => {
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return next();
    const session = sessionOf(res);
    const sent = req.get(CSRF_HEADER);
    if (!session)
      return next(new HttpError(403, 'no session: load the page again (GET /api/session) before sending changes'));
    if (!sent || !sameToken(sent, session.csrfToken)) {
      return next(
        new HttpError(403, `missing or wrong CSRF token: send the session's token in the X-CSRF-Token header`),
      );
    }
    next();
  };

  const requireRole =
    (roles?: readonly Role[]): RequestHandler =>
    (_req, res, next) => {
      const verdict = access(sessionOf(res), roles);
      if (verdict === 'login') return next(new HttpError(401, 'log in first'));
      if (verdict === 'forbidden') return next(new HttpError(403, `this needs a ${roles?.join(' or ')} login`));
      next();
    };

  const routes = Router();

  // Creates an anonymous session when there is none, so the login form has a CSRF token.
  routes.get('/api/session', (req, res) => {
    let session = sessionOf(res);
    if (!session) {
      const created = sessions.create(null);
      session = created.session;
      setCookie(req, res, created.token);
    }
    res.setHeader('Cache-Control', 'no-store');
    res.json({ user: session.user, csrfToken: session.csrfToken });
  });

  routes.post('/api/login', async (req, res) => {
    const parsed = loginBody.safeParse(req.body);
    if (!parsed.success) throw new HttpError(400, parsed.error.issues[0].message);
    const { name, password } = parsed.data;
    const address = req.ip ?? 'unknown';
    const wait = await limits.take(address, name);
    if (wait > 0) {
      throw new HttpError(429, `too many login attempts; try again in ${wait} s`, { 'Retry-After': String(wait) });
    }
    const user = await users.get(name);
    // Verify against a dummy hash for unknown names so the answer time does not reveal them.
    let ok: boolean;
    try {
      ok = await passwords.verify(password, user?.passwordHash ?? (await dummyPasswordHash()));
    } catch (err) {
      if (err instanceof CheckerBusyError) throw new HttpError(503, err.message, { 'Retry-After': '5' });
      throw err;
    }
    if (!user || !ok) throw new HttpError(401, 'wrong name or password');
    await limits.succeeded(address, name);
    sessions.destroy(res.locals.sessionToken as string | undefined);
    const { token, session } = sessions.create({ name: user.name, role: user.role });
    session.credentialTag = credentialTag(user.passwordHash);
    setCookie(req, res, token);
    res.json({ user: session.user, csrfToken: session.csrfToken });
  });

  routes.post('/api/logout', (req, res) => {
    sessions.destroy(res.locals.sessionToken as string | undefined);
    res.setHeader('Set-Cookie', serializeSessionCookie(cookieName, '', { secure: secureFor(req), maxAgeSeconds: 0 }));
    res.json({ ok: true });
  });

  return {
    sessions,
    attach,
    sessionFor: async (c) => (await fromCookies(c))?.session,
    csrf,
    requireRole,
    routes,
    close: () => passwords.close(),
  };
}
