/** A coreset selection thread (see pool.ts): one job at a time, the features read from shared memory. */
import { parentPort } from 'node:worker_threads';
import { greedyCoreset } from '../../vision/coreset.ts';
import type { CoresetJob, CoresetReply } from './pool.ts';

const port = parentPort!;
port.on('message', (job: CoresetJob) => {
  let reply: CoresetReply;
  try {
    const chosen = greedyCoreset(new Float32Array(job.features), job.n, job.dim, job.opts);
    reply = { id: job.id, chosen };
  } catch (e) {
    reply = { id: job.id, error: e instanceof Error ? e.message : String(e) };
  }
  port.postMessage(reply);
});
