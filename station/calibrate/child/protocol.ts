/** What the station and its worker processes say to each other (see fork.ts, worker.ts and checkWorker.ts). */
import type { CalibrationOutcome } from '../../server/contract.d.ts';

export interface ChildJob {
  productId: string;
  calibrationDir: string;
  dataDir: string;
  /** The station's default backbone; the rest of the pool is found beside it as at the station. */
  modelManifest: string;
}

/** The bench check of one version of a product (a reference set the station received). */
export interface CheckJob extends ChildJob {
  version: number;
}

export type ChildMessage<R = CalibrationOutcome> =
  | { kind: 'progress'; phase: string; done: number; total: number }
  | { kind: 'done'; outcome: R }
  | { kind: 'failed'; error: string };
