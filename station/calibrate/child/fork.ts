/**
 * Runs one job in a worker process at lower CPU priority. In the station's own process a dashboard rebuild held the
 * event loop: /healthz took 2.3 s, one inspection 5.6 s, and an 11 s gap opened on a bench where items arrive every
 * 4 s. The child has its own event loop, store connection (SQLite in WAL mode takes both) and backbones; the bench
 * keeps its own. Calibration (runInChild.ts) and the bench check of a received reference set (checkInChild.ts) run so.
 */
import { fork } from 'node:child_process';
import { setPriority } from 'node:os';
import type { ChildMessage } from './protocol.ts';

/** Niceness of the worker process: the bench's capture and inspection come first. */
export const CALIBRATION_NICENESS = 10;

export function runWorker<R>(
  worker: string,
  job: unknown,
  what: string,
  on: { progress?: (phase: string, done: number, total: number) => void; start?: (pid: number) => void } = {},
): Promise<R> {
  return new Promise((resolve, reject) => {
    // tsx loads the TypeScript worker whatever loader (or none) the parent runs under; resolved from here, not
    // from the working folder the station happens to be started in.
    const child = fork(worker, [], {
      execArgv: ['--import', import.meta.resolve('tsx')],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let stderr = '';
    let settled = false;
    child.stderr!.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-2000);
    });
    child.once('spawn', () => {
      try {
        setPriority(child.pid!, CALIBRATION_NICENESS);
      } catch {
        // not permitted here: it still runs outside the bench's event loop
      }
      on.start?.(child.pid!);
      child.send(job as object);
    });
    child.on('message', (m: ChildMessage<R>) => {
      if (m.kind === 'progress') on.progress?.(m.phase, m.done, m.total);
      else if (m.kind === 'done') {
        settled = true;
        resolve(m.outcome);
      } else {
        settled = true;
        reject(new Error(m.error));
      }
    });
    child.once('error', (err) => {
      if (!settled) {
        settled = true;
        reject(err);
      }
    });
    child.once('exit', (code, signal) => {
      if (settled) return;
      settled = true;
      reject(
        new Error(
          `the ${what} process ended (${signal ?? `exit code ${code}`}) before finishing${stderr.trim() ? `: ${stderr.trim().split('\n').slice(-3).join(' | ')}` : ''}`,
        ),
      );
    });
  });
}
