// Server-side sessions kept in memory: the cookie carries only a random token.
// A restart logs everyone out, which is acceptable for a bench station and keeps
// the database free of short-lived secrets.
import { randomBytes, createHash } from 'node:crypto';

export type Role = 'viewer' | 'lead' | 'admin';

export interface Session {
  /** Anonymous sessions exist only to carry a CSRF token for the login form. */
  user: { name: string; role: Role } | null;
  csrfToken: string;
  /** A digest of the password hash at login: a password change ends the session. */
  credentialTag?: string;
  createdAt: number;
  lastSeen: number;
}

export interface SessionStoreOptions {
  /** Idle time after which a session ends (ms). */
  idleMs?: number;
  /** Upper bound on live sessions; the least recently seen are dropped first. */
  maxSessions?: number;
  now?: () => number;
}

const newToken = () => randomBytes(32).toString('base64url');
// Tokens are looked up by their hash so a heap dump does not hand out live cookies.
const key = (token: string) => createHash('sha256').update(token).digest('base64url');

export class SessionStore {
  private readonly sessions = new Map<string, Session>();
  private readonly idleMs: number;
  private readonly maxSessions: number;
  private readonly now: () => number;

  constructor(opts: SessionStoreOptions = {}) {
    this.idleMs = opts.idleMs ?? 12 * 3600_000;
    this.maxSessions = opts.maxSessions ?? 5000;
    this.now = opts.now ?? Date.now;
  }

  /** Create a session and return its cookie token. */
  create(user: Session['user']): { token: string; session: Session } {
    this.evict();
    const token = newToken();
    const t = this.now();
    const session: Session = { user, csrfToken: newToken(), createdAt: t, lastSeen: t };
    this.sessions.set(key(token), session);
    return { token, session };
  }

  /** The live session for a cookie token, refreshing its idle timer; undefined when unknown or expired. */
  get(token: string | undefined): Session | undefined {
    if (!token) return undefined;
    const k = key(token);
    const s = this.sessions.get(k);
    if (!s) return undefined;
    const t = this.now();
    if (t - s.lastSeen > this.idleMs) {
      this.sessions.delete(k);
      return undefined;
    }
    s.lastSeen = t;
    // Re-insert so Map order stays least-recently-seen first (used by evict()).
    this.sessions.delete(k);
    this.sessions.set(k, s);
    return s;
  }

  destroy(token: string | undefined): void {
    if (token) this.sessions.delete(key(token));
  }

  /** End every session of a user (after their removal or a password change). */
  destroyUser(name: string): void {
    for (const [k, s] of this.sessions) if (s.user?.name === name) this.sessions.delete(k);
  }

  get size(): number {
    return this.sessions.size;
  }

  private evict(): void {
    const t = this.now();
    for (const [k, s] of this.sessions) {
      if (t - s.lastSeen > this.idleMs) this.sessions.delete(k);
    }
    while (this.sessions.size >= this.maxSessions) {
      const oldest = this.sessions.keys().next().value as string;
      this.sessions.delete(oldest);
    }
  }
}
