/**
 * The camera as the station sees it: up, lost or ended (a replay that does not loop), and its latest frame,
 * followed from the frame source's events. The composition tells the trigger, the server and the light.
 */
import type { Frame, FrameSource } from '../capture/index.ts';
import type { CameraState } from '../server/index.ts';
import type { Log } from '../shared/domain.d.ts';

export type CameraListener = (state: CameraState, reason?: string) => void;

export interface CameraView {
  readonly state: CameraState;
  /** For a manual trigger and the live view; kept while lost, but not shown then. */
  readonly latestFrame: Frame | null;
}

export interface Camera extends CameraView {
  /** Called on each change of state, after it is logged. */
  onChange(listener: CameraListener): void;
}

export function followCamera(source: FrameSource, log: Log): Camera {
  let state: CameraState = 'up';
  let latestFrame: Frame | null = null;
  const listeners: CameraListener[] = [];
  const changed = (to: CameraState, reason?: string) => {
    state = to;
    for (const l of listeners) l(to, reason);
  };
  source.on('frame', (f) => {
    latestFrame = f;
  });
  source.on('lost', (err) => {
    log.warn(`camera lost: ${err.message}`);
    changed('lost', err.message);
  });
  source.on('back', () => {
    log.info('camera back');
    changed('up');
  });
  source.on('warning', (w) => log.warn(w.message));
  source.on('end', () => {
    log.info('the replay has played its last item (it does not loop): no more frames will come');
    changed('ended', 'the replay has played its last item');
  });
  return {
    get state() {
      return state;
    },
    get latestFrame() {
      return latestFrame;
    },
    onChange(listener) {
      listeners.push(listener);
    },
  };
}
