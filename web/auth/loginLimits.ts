/**
 * How many login attempts are let through to the (slow) password check, with rate-limiter-flexible. An attempt is
 * taken before the check, atomically, so 300 parallel guesses cannot all pass a limit that was read before any of
 * them was counted. Three limits:
 * - one account from one address (the guessing limit; a right password clears it);
 * - one address, whatever names it tries (spraying names);
 * - one account from every address, set far higher, so a visitor from one address cannot lock a lead out everywhere
 *   (only many addresses together slow that account down).
 */
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

export interface LoginLimitOptions {
  /** Attempts one account may get from one address per window (default 5). */
  perAccountAddress?: number;
  windowMs?: number;
}

/** The other two limits, as multiples of perAccountAddress. */
const PER_ADDRESS = 4;
const PER_ACCOUNT = 20;

export class LoginLimits {
  private readonly pair: RateLimiterMemory;
  private readonly address: RateLimiterMemory;
  private readonly account: RateLimiterMemory;

  constructor(opts: LoginLimitOptions = {}) {
    const points = opts.perAccountAddress ?? 5;
    const duration = Math.max(1, Math.round((opts.windowMs ?? 5 * 60_000) / 1000));
    this.pair = new RateLimiterMemory({ keyPrefix: 'pair', points, duration });
    this.address = new RateLimiterMemory({ keyPrefix: 'address', points: PER_ADDRESS * points, duration });
    this.account = new RateLimiterMemory({ keyPrefix: 'account', points: PER_ACCOUNT * points, duration });
  }

  /**
   * Take one attempt for this address and name: 0 when it may go on, else the seconds to wait. The limits are taken
   * in order and the first refusal stops there, so a refused attempt never counts against the wider limits (a flood
   * from one address would otherwise use up the account's allowance for every address).
   */
  async take(address: string, name: string): Promise<number> {
    const account = name.toLowerCase();
    const steps: [RateLimiterMemory, string][] = [
      [this.pair, `${account}\n${address}`],
      [this.address, address],
      [this.account, account],
    ];
    for (const [limiter, key] of steps) {
      try {
        await limiter.consume(key);
      } catch (refused) {
        if (!(refused instanceof RateLimiterRes)) throw refused;
        return Math.max(1, Math.ceil(refused.msBeforeNext / 1000));
      }
    }
    return 0;
  }

  /** A right password: the pair starts afresh, and the attempt does not count against the address or account. */
  async succeeded(address: string, name: string): Promise<void> {
    const account = name.toLowerCase();
    await Promise.all([
      this.pair.delete(`${account}\n${address}`),
      this.address.reward(address),
      this.account.reward(account),
    ]);
  }
}
