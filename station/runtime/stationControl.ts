/**
 * The StationControl the server uses: what a person may ask of the running bench (its state, a manual
 * trigger, the selection, a recalibration, an activation, the live frame). Errors carry a message for the person.
 */
import sharp from 'sharp';
import { runInChild } from '../calibrate/child/runInChild.ts';
import type { ChildJob } from '../calibrate/child/protocol.ts';
import type { EnginePool } from '../engines/pool.ts';
import { activateVersion } from '../referenceSets/versions.ts';
import type { NetworkState, StationControl } from '../server/index.ts';
import type { PortStatus } from '../signals/lineProtocol.ts';
import type { Store } from '../store/index.ts';
import type { PresenceTrigger } from '../trigger/index.ts';
import type { CameraView } from './camera.ts';
import type { Log } from '../shared/domain.d.ts';
import type { Selection } from './selection.ts';

export interface ControlOptions {
  store: Store;
  selection: Selection;
  trigger: PresenceTrigger;
  camera: CameraView;
  /** The configured serial devices and whether each is connected. */
  devices: () => Record<string, PortStatus>;
  /** The workshop network's state, or null for a bench on its own. */
  network: () => NetworkState | null;
  /** Folders and backbone for a recalibration (the product comes with each request). */
  calibration: Omit<ChildJob, 'productId'>;
  /** The engine pool: a version may run a backbone (or a pair's second) the station has not loaded yet. */
  engines: Pick<EnginePool, 'preload'>;
  log: Log;
}

export function createStationControl(o: ControlOptions): StationControl {
  const { store, selection, trigger, camera, devices, log } = o;
  return {
    currentState: () => ({
      bench: trigger.state,
      camera: camera.state,
      productId: selection.productId,
      makerId: selection.makerId,
      modelLoaded: !(selection.active() instanceof Error),
      devices: devices(),
      network: o.network(),
    }),
    manualTrigger: () => {
      if (camera.state === 'ended') throw new Error('no camera frame to inspect: the replay has played its last item');
      if (camera.state === 'lost' || !camera.latestFrame)
        throw new Error('no camera frame to inspect: the camera is lost');
      trigger.manual();
    },
    select: (change) => selection.select(change),
    // In a process of its own at lower priority: the bench keeps its event loop and CPU while a lead recalibrates.
    startCalibration: (id, onProgress) =>
      runInChild({ ...o.calibration, productId: id }, onProgress, (pid) =>
        log.info(`calibration of ${id} running in process ${pid} at lower priority`),
      ),
    activateReferenceSet: async (id, version) => {
      activateVersion(store, id, version);
      // A calibration in its child process may have chosen a backbone this process has not loaded yet.
      await o.engines.preload(store.referenceSets.activeModelSha256s());
      // Loaded now, so the lead hears at once when the version cannot be inspected with, not from the next item.
      const a = selection.reload(id);
      if (a instanceof Error) throw a;
    },
    latestFrameJpeg: async () => {
      const f = camera.latestFrame;
      if (!f || camera.state === 'lost') return null;
      return sharp(f.data, { raw: { width: f.width, height: f.height, channels: 3 } })
        .jpeg({ quality: 80 })
        .toBuffer();
    },
  };
}
