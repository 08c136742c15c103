/**
 * The bench check of a received reference set in a process of its own (started by checkInChild): scoring the
 * product's good images takes the CPU for seconds, which the bench's inspections must not wait behind.
 */
import { enginePool } from '../../engines/pool.ts';
import { openStore } from '../../store/index.ts';
import { checkOnBench, type BenchCheck } from '../benchCheck.ts';
import type { CheckJob, ChildMessage } from './protocol.ts';

const send = (m: ChildMessage<BenchCheck>) => new Promise<void>((resolve) => process.send!(m, () => resolve()));

process.once('message', async (job: CheckJob) => {
  let exitCode = 0;
  try {
    const store = openStore(job.dataDir);
    const engines = await enginePool(job.modelManifest, { threads: 1 });
    try {
      const outcome = await checkOnBench({ ...job, store, engines });
      await send({ kind: 'done', outcome });
    } finally {
      await engines.close();
      store.close();
    }
  } catch (err) {
    exitCode = 1;
    await send({ kind: 'failed', error: err instanceof Error ? err.message : String(err) });
  }
  process.exit(exitCode);
});
