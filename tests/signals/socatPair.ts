// Test helpers: a real pseudo-terminal pair made by socat, and a "board" on the far end.
// The far end is opened with plain fs + tty.ReadStream rather than serialport, because
// serialport flushes the input queue on open and would throw away lines the client sent
// before the test got there.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, openSync, writeSync, constants, rmSync } from 'node:fs';
import { ReadStream } from 'node:tty';
import type { Log } from '../../station/shared/domain.d.ts';

export interface PtyPair {
  /** The end given to the code under test. */
  a: string;
  /** The far end (the board / the scanner). */
  b: string;
  /** SIGTERM socat and wait until it exited (it removes both links). */
  stop(): Promise<void>;
}

export async function startPair(a: string, b: string, timeoutMs = 5000): Promise<PtyPair> {
  rmSync(a, { force: true });
  rmSync(b, { force: true });
  const child: ChildProcess = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`socat did not start within ${timeoutMs} ms: ${stderr}`)),
      timeoutMs,
    );
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot run socat (is it installed?): ${err.message}`));
    });
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      // Links exist once socat reports its transfer loop.
      if (stderr.includes('starting data transfer loop') && existsSync(a) && existsSync(b)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return {
    a,
    b,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The far end of a pty pair: collects incoming text, writes raw bytes. */
export class PtyPeer {
  private readonly fd: number;
  private readonly stream: ReadStream;
  received = '';
  private waiters: Array<() => void> = [];

  constructor(path: string) {
    this.fd = openSync(path, constants.O_RDWR | constants.O_NOCTTY);
    this.stream = new ReadStream(this.fd);
    this.stream.on('data', (d: Buffer | string) => {
      this.received += d.toString();
      for (const w of this.waiters) w();
    });
    // EIO when socat goes away: expected in the unplug tests.
    this.stream.on('error', () => undefined);
  }

  write(text: string): void {
    writeSync(this.fd, text);
  }

  /** Lines received so far (LF-terminated ones only). */
  lines(): string[] {
    const parts = this.received.split('\n');
    parts.pop();
    return parts;
  }

  async waitFor(pred: (received: string) => boolean, what: string, timeoutMs = 5000): Promise<void> {
    if (pred(this.received)) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== check);
        reject(new Error(`timed out waiting for ${what}; received so far: ${JSON.stringify(this.received)}`));
      }, timeoutMs);
      const check = () => {
        if (!pred(this.received)) return;
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== check);
        resolve();
      };
      this.waiters.push(check);
    });
  }

  /** Closing the stream closes the fd too (libuv owns it), so no closeSync here. */
  close(): void {
    this.stream.destroy();
  }
}

export function captureLog(): Pick<Log, 'info' | 'warn'> & {
  entries: Array<[level: 'info' | 'warn', message: string]>;
} {
  const entries: Array<['info' | 'warn', string]> = [];
  return {
    entries,
    info: (m: string) => void entries.push(['info', m]),
    warn: (m: string) => void entries.push(['warn', m]),
  };
}

/** Resolves when `emitter` emits `event` with a value passing `pred`. */
export function nextEvent<T>(
  emitter: { on(e: string, l: (v: T) => void): unknown; off(e: string, l: (v: T) => void): unknown },
  event: string,
  pred: (v: T) => boolean = () => true,
  timeoutMs = 5000,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.off(event, listener);
      reject(new Error(`timed out waiting for '${event}'`));
    }, timeoutMs);
    const listener = (v: T) => {
      if (!pred(v)) return;
      clearTimeout(timer);
      emitter.off(event, listener);
      resolve(v);
    };
    emitter.on(event, listener);
  });
}

/** Resolves once `target.status` is `status`, whether it already is or becomes so later. */
export function waitForStatus<S extends string>(
  target: {
    readonly status: S;
    on(e: 'status', l: (s: S) => void): unknown;
    off(e: 'status', l: (s: S) => void): unknown;
  },
  status: S,
  timeoutMs = 5000,
): Promise<void> {
  if (target.status === status) return Promise.resolve();
  return nextEvent<S>(target as never, 'status', (s) => s === status, timeoutMs).then(() => undefined);
}

/** Polls `cond` every 10 ms until true; fails naming `what` after `timeoutMs`. */
export async function until(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
