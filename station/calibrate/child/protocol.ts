/** What the station and its calibration process say to each other (see runInChild.ts and worker.ts). */
import type { CalibrationOutcome } from '../../server/contract.d.ts';

export interface ChildJob {
  productId: string;
  calibrationDir: string;
  dataDir: string;
  /** The station's default backbone; the rest of the pool is found beside it as at the station. */
  modelManifest: string;
}

export type ChildMessage =
  | { kind: 'progress'; phase: string; done: number; total: number }
  | { kind: 'done'; outcome: CalibrationOutcome }
  | { kind: 'failed'; error: string };
