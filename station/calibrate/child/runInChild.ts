/** Runs a calibration in a child process at lower CPU priority (see fork.ts for why). */
import { fileURLToPath } from 'node:url';
import type { CalibrationOutcome, CalibrationProgress } from '../../server/contract.d.ts';
import { runWorker } from './fork.ts';
import type { ChildJob } from './protocol.ts';

export { CALIBRATION_NICENESS } from './fork.ts';

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));

export function runInChild(
  job: ChildJob,
  onProgress: (p: CalibrationProgress) => void,
  onStart?: (pid: number) => void,
): Promise<CalibrationOutcome> {
  return runWorker<CalibrationOutcome>(WORKER, job, 'calibration', {
    progress: (phase, done, total) => onProgress({ phase, done, total }),
    start: onStart,
  });
}
