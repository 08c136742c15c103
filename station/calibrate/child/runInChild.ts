/**
 * Runs a calibration in a child process at lower CPU priority. In the station's own process a dashboard rebuild
 * held the event loop: /healthz took 2.3 s, one inspection 5.6 s, and an 11 s gap opened on a bench where items
 * arrive every 4 s. The child has its own event loop, store connection (SQLite in WAL mode takes both) and
 * backbones; the bench keeps its own.
 */
import { fork } from 'node:child_process';
import { setPriority } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { CalibrationOutcome, CalibrationProgress } from '../../server/contract.d.ts';
import type { ChildJob, ChildMessage } from './protocol.ts';

/** Niceness of the calibration process: the bench's capture and inspection come first. */
export const CALIBRATION_NICENESS = 10;

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));

export function runInChild(
  job: ChildJob,
  onProgress: (p: CalibrationProgress) => void,
  onStart?: (pid: number) => void,
): Promise<CalibrationOutcome> {
  return new Promise((resolve, reject) => {
    // tsx loads the TypeScript worker whatever loader (or none) the parent runs under; resolved from here, not
    // from the working folder the station happens to be started in.
    const child = fork(WORKER, [], {
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
      onStart?.(child.pid!);
      child.send(job);
    });
    child.on('message', (m: ChildMessage) => {
      if (m.kind === 'progress') onProgress({ phase: m.phase, done: m.done, total: m.total });
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
          `the calibration process ended (${signal ?? `exit code ${code}`}) before finishing${stderr.trim() ? `: ${stderr.trim().split('\n').slice(-3).join(' | ')}` : ''}`,
        ),
      );
    });
  });
}
