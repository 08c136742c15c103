/**
 * Login password checks for the station: one at a time on a worker thread of their own, with a bounded queue.
 * scrypt is slow by design; on libuv's shared pool, 300 parallel logins starved the bench's frame decoding (the
 * camera was reported lost for 15 s). Here they wait their turn without touching that pool, and past the queue's
 * bound a login is refused at once (503) instead of piling up.
 */
import { timingSafeEqual } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { parseStoredHash, scryptMaxmem } from './passwords.ts';

export class CheckerBusyError extends Error {}

export interface PasswordChecker {
  verify(password: string, stored: string): Promise<boolean>;
  /** Checks queued or running now. */
  readonly pending: number;
  /** Worker threads the checks ran on (the main thread is 0): for tests that checks stay off it. */
  readonly threadIds: ReadonlySet<number>;
  close(): Promise<void>;
}

export function passwordChecker(opts: { maxQueue?: number } = {}): PasswordChecker {
  const maxQueue = opts.maxQueue ?? 16;
  let worker: Worker | null = null;
  let nextId = 0;
  const waiting = new Map<number, { resolve: (key: Buffer) => void; reject: (err: Error) => void }>();
  const threadIds = new Set<number>();

  const start = (): Worker => {
    const w = new Worker(new URL('./scryptWorker.mjs', import.meta.url));
    w.unref(); // an idle checker never keeps the station from exiting
    w.on('message', (m: { id: number; key?: string; error?: string; threadId: number }) => {
      threadIds.add(m.threadId);
      const job = waiting.get(m.id);
      waiting.delete(m.id);
      if (m.error !== undefined) job?.reject(new Error(m.error));
      else job?.resolve(Buffer.from(m.key!, 'base64'));
    });
    w.on('error', (err) => {
      for (const job of waiting.values()) job.reject(err);
      waiting.clear();
      worker = null; // the next check starts a fresh one
    });
    return w;
  };

  return {
    async verify(password, stored) {
      const h = parseStoredHash(stored);
      if (!h || password.length > 1024) return false;
      if (waiting.size >= maxQueue)
        throw new CheckerBusyError(`${waiting.size} logins are being checked; try again in a few seconds`);
      worker ??= start();
      const id = nextId++;
      const key = await new Promise<Buffer>((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        worker!.postMessage({
          id,
          password,
          salt: h.salt.toString('base64'),
          keylen: h.expected.length,
          N: h.N,
          r: h.r,
          p: h.p,
          maxmem: scryptMaxmem(h),
        });
      });
      return key.length === h.expected.length && timingSafeEqual(key, h.expected);
    },
    get pending() {
      return waiting.size;
    },
    threadIds,
    async close() {
      const w = worker;
      worker = null;
      if (w) await w.terminate();
    },
  };
}
