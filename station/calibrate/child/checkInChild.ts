/** Runs the bench check of a received reference set in a child process at lower CPU priority (see fork.ts). */
import { fileURLToPath } from 'node:url';
import type { BenchCheck } from '../benchCheck.ts';
import { runWorker } from './fork.ts';
import type { CheckJob } from './protocol.ts';

const WORKER = fileURLToPath(new URL('./checkWorker.ts', import.meta.url));

export function checkInChild(job: CheckJob, onStart?: (pid: number) => void): Promise<BenchCheck> {
  return runWorker<BenchCheck>(WORKER, job, 'bench check', { start: onStart });
}
