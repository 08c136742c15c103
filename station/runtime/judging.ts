/**
 * What the station judges with, opened in order: the store, the demo product when the camera is the demo, the
 * products of the calibration folder, the engines, and the selection — calibrated on first start when it has no
 * reference set yet.
 */
import { existsSync } from 'node:fs';
import { readManifest } from '../../models/manifest-file.ts';
import { resolvePath, type StationConfig } from '../config.ts';
import { DEMO_PRODUCT, ensureDemo } from '../demo/demoStation.ts';
import type { Log } from '../shared/domain.d.ts';
import { lockDataDir } from '../store/dataDirLock.ts';
import { ensureWritableFolder, openStore } from '../store/index.ts';
import { inspectorForSet } from '../engines/setInspection.ts';
import { loadEngines } from './engines.ts';
import { calibrateOnFirstStart } from './firstCalibration.ts';
import { syncProducts } from './products.ts';
import { createSelection } from './selection.ts';

export async function openJudging(config: StationConfig, log: Log) {
  const dataDir = resolvePath(config, config.dataDir),
    model = resolvePath(config, config.model);
  ensureWritableFolder(dataDir);
  // One station per data folder, and none while a restore replaces its record (see store/dataDirLock.ts).
  const lock = lockDataDir(dataDir, 'a running station');
  try {
    return { ...(await openFor(config, log, dataDir, model)), lock };
  } catch (err) {
    lock.release();
    throw err;
  }
}

async function openFor(config: StationConfig, log: Log, dataDir: string, model: string) {
  const store = openStore(dataDir);
  const demo = config.camera.kind === 'demo' ? await ensureDemo(dataDir, { backbone: readManifest(model).id }) : null;
  const calibrationDir = demo ? demo.calibrationDir : resolvePath(config, config.calibrationDir);
  log.info(
    `data folder ${dataDir}; calibration folder ${calibrationDir}${existsSync(calibrationDir) ? '' : ' (missing)'}`,
  );
  const products = syncProducts(store, calibrationDir, log);

  const engines = await loadEngines(model, store, log);
  const selection = createSelection({
    store,
    calibrationDir,
    inspectorFor: (set) => inspectorForSet(engines, set),
    productId: demo ? DEMO_PRODUCT : config.product,
    makerId: config.maker,
    products,
    log,
  });
  await calibrateOnFirstStart({ selection, calibrationDir, store, engines, log });
  return { dataDir, model, store, demo, calibrationDir, engines, selection };
}
