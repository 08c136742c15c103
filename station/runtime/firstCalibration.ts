/**
 * The selected product at start. One with no reference set yet (the demo's first start) is calibrated before
 * inspecting, in the station's own process: nothing is on the bench yet to wait for its event loop. Then its
 * reference set is loaded, and when there is none the log says why its items will be unjudged.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { calibrateProduct } from '../calibrate/run.ts';
import { calibrationEngines } from '../calibrate/visionEngine.ts';
import type { EnginePool } from '../engines/pool.ts';
import type { Store } from '../store/index.ts';
import type { Log } from '../shared/domain.d.ts';
import type { Selection } from './selection.ts';

export interface FirstCalibration {
  selection: Pick<Selection, 'productId' | 'active'>;
  calibrationDir: string;
  store: Store;
  engines: Pick<EnginePool, 'pool' | 'loadEngine'>;
  log: Log;
}

/** Never throws: a bench whose product cannot be inspected still starts and records its items unjudged. */
export async function calibrateOnFirstStart({
  selection,
  calibrationDir,
  store,
  engines,
  log,
}: FirstCalibration): Promise<void> {
  const { productId } = selection;
  const folder = path.join(calibrationDir, productId);
  if (!store.referenceSets.active(productId) && existsSync(path.join(folder, 'product.json')))
    await calibrate(productId, folder, { calibrationDir, store, engines, log });
  const first = selection.active();
  if (first instanceof Error) log.warn(`${first.message}; items will be recorded as unjudged until then`);
}

async function calibrate(
  productId: string,
  folder: string,
  { calibrationDir, store, engines, log }: Omit<FirstCalibration, 'selection'>,
): Promise<void> {
  log.info(`product '${productId}' has no reference set yet: calibrating from ${folder}`);
  let lastStage = '';
  try {
    const r = await calibrateProduct({
      productId,
      calibrationDir,
      store,
      ...calibrationEngines(engines),
      onProgress: (stage, done, total) => {
        if (stage !== lastStage || done === total) log.info(`  calibrate: ${stage} ${done}/${total}`);
        lastStage = stage;
      },
    });
    log.info(
      `  reference set v${r.version}: review above ${r.report.band.reviewAt.toFixed(3)}, fail above ${r.report.band.failAt.toFixed(3)}`,
    );
  } catch (err) {
    // The bench still starts: its items are recorded unjudged with the reason until a calibration succeeds.
    log.warn(`  calibration of '${productId}' failed: ${(err as Error).message}`);
  }
}
