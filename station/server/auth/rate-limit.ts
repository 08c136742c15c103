// A small sliding-window limiter for failed logins, keyed by client address and by user name,
// so one address cannot guess many passwords and many addresses cannot hammer one account.

export interface RateLimiterOptions {
  /** Failures allowed inside the window before further attempts are refused. */
  maxFailures?: number;
  windowMs?: number;
  now?: () => number;
}

export class LoginRateLimiter {
  private readonly failures = new Map<string, number[]>();
  private readonly maxFailures: number;
  private readonly windowMs: number;
  private readonly now: () => number;

  constructor(opts: RateLimiterOptions = {}) {
    this.maxFailures = opts.maxFailures ?? 5;
    this.windowMs = opts.windowMs ?? 5 * 60_000;
    this.now = opts.now ?? Date.now;
  }

  /** Seconds until another attempt is allowed for any of these keys, or 0 when allowed now. */
  retryAfterSeconds(keys: string[]): number {
    const t = this.now();
    let wait = 0;
    for (const k of keys) {
      const list = this.recent(k, t);
      if (list.length >= this.maxFailures) {
        wait = Math.max(wait, Math.ceil((list[0] + this.windowMs - t) / 1000));
      }
    }
    return wait;
  }

  recordFailure(keys: string[]): void {
    const t = this.now();
    for (const k of keys) {
      const list = this.recent(k, t);
      list.push(t);
      this.failures.set(k, list);
    }
    // Bound memory when someone sprays random names.
    if (this.failures.size > 10_000) {
      for (const [k, list] of this.failures) if (this.recent(k, t).length === 0) this.failures.delete(k);
    }
  }

  reset(keys: string[]): void {
    for (const k of keys) this.failures.delete(k);
  }

  private recent(k: string, t: number): number[] {
    const list = (this.failures.get(k) ?? []).filter((x) => t - x < this.windowMs);
    if (list.length) this.failures.set(k, list);
    else this.failures.delete(k);
    return list;
  }
}
