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
  /** Time after its creation at which a session ends however busy it is (ms). */
  maxAgeMs?: number;
  /** Upper bound on live anonymous sessions; the least recently seen anonymous ones are dropped first. */
  maxSessions?: number;
  /** Upper bound on live signed-in sessions, counted apart: anonymous visitors can never push a lead out. */
  maxSignedIn?: number;
  now?: () => number;
}

const newToken = () => randomBytes(32).toString('base64url');
// Tokens are looked up by their hash so a heap dump does not hand out live cookies.
const key = (token: string) => createHash('sha256').update(token).digest('base64url');

export class SessionStore {
  // Two pools, each in least-recently-seen order (Map order), so eviction in one never touches the other.
  private readonly anonymous = new Map<string, Session>();
  private readonly signedIn = new Map<string, Session>();
  private readonly idleMs: number;
  private readonly maxAgeMs: number;
  private readonly maxSessions: number;
  private readonly maxSignedIn: number;
  private readonly now: () => number;

  constructor(opts: SessionStoreOptions = {}) {
    this.idleMs = opts.idleMs ?? 12 * 3600_000;
    this.maxAgeMs = opts.maxAgeMs ?? 7 * 24 * 3600_000;
    this.maxSessions = opts.maxSessions ?? 5000;
    this.maxSignedIn = opts.maxSignedIn ?? 500;
    this.now = opts.now ?? Date.now;
  }

  private poolOf(user: Session['user']): Map<string, Session> {
    return user ? this.signedIn : this.anonymous;
  }

  /** Create a session and return its cookie token. */
  create(user: Session['user']): { token: string; session: Session } {
    const pool = this.poolOf(user);
    this.evict(pool, user ? this.maxSignedIn : this.maxSessions);
    const token = newToken();
    const t = this.now();
    const session: Session = { user, csrfToken: newToken(), createdAt: t, lastSeen: t };
    pool.set(key(token), session);
    return { token, session };
  }

  /** The live session for a cookie token, refreshing its idle timer; undefined when unknown or expired. */
  get(token: string | undefined): Session | undefined {
    if (!token) return undefined;
    const k = key(token);
    const pool = this.signedIn.has(k) ? this.signedIn : this.anonymous;
    const s = pool.get(k);
    if (!s) return undefined;
    const t = this.now();
    if (this.expired(s, t)) {
      pool.delete(k);
      return undefined;
    }
    s.lastSeen = t;
    // Re-insert so Map order stays least-recently-seen first (used by evict()).
    pool.delete(k);
    pool.set(k, s);
    return s;
  }

  destroy(token: string | undefined): void {
    if (!token) return;
    const k = key(token);
    this.signedIn.delete(k);
    this.anonymous.delete(k);
  }

  /** End every session of a user (after their removal or a password change). */
  destroyUser(name: string): void {
    for (const [k, s] of this.signedIn) if (s.user?.name === name) this.signedIn.delete(k);
  }

  get size(): number {
    return this.anonymous.size + this.signedIn.size;
  }

  private expired(s: Session, t: number): boolean {
    return t - s.lastSeen > this.idleMs || t - s.createdAt > this.maxAgeMs;
  }

  private evict(pool: Map<string, Session>, max: number): void {
    const t = this.now();
    for (const [k, s] of pool) if (this.expired(s, t)) pool.delete(k);
    while (pool.size >= max) pool.delete(pool.keys().next().value as string);
  }
}
