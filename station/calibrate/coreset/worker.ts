/** A coreset selection on a worker thread (see pool.ts): the features are read from shared memory, not copied. */
import { greedyCoreset } from '../../vision/coreset.ts';
import type { CoresetJob } from './pool.ts';

export function selectCoreset(job: CoresetJob): Int32Array {
  return greedyCoreset(new Float32Array(job.features), job.n, job.dim, job.opts);
}
