/**
 * A calibration run in a process of its own (started by runInChild): the bench's event loop and CPU share stay
 * with inspection. Reads one job from the parent, runs calibrateProduct as the station would (its own store
 * connection and backbone pool), reports progress and the outcome over IPC, and exits.
 */
import { enginePool } from '../../engines/pool.ts';
import { openStore } from '../../store/index.ts';
import { calibrateProduct } from '../run.ts';
import { calibrationEngines } from '../visionEngine.ts';
import type { ChildJob, ChildMessage } from './protocol.ts';

const send = (m: ChildMessage) => new Promise<void>((resolve) => process.send!(m, () => resolve()));

process.once('message', async (job: ChildJob) => {
  let exitCode = 0;
  try {
    const store = openStore(job.dataDir);
    const pool = await enginePool(job.modelManifest);
    try {
      const r = await calibrateProduct({
        productId: job.productId,
        calibrationDir: job.calibrationDir,
        store,
        ...calibrationEngines(pool),
        activate: false,
        onProgress: (phase, done, total) => void send({ kind: 'progress', phase, done, total }),
      });
      await send({
        kind: 'done',
        outcome: {
          version: r.version,
          imageCount: r.report.images.good.used,
          band: { reviewAt: r.report.band.reviewAt, failAt: r.report.band.failAt },
          warnings: r.report.warnings,
        },
      });
    } finally {
      await pool.close();
      store.close();
    }
  } catch (err) {
    exitCode = 1;
    await send({ kind: 'failed', error: err instanceof Error ? err.message : String(err) });
  }
  process.exit(exitCode);
});
