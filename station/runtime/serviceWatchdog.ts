/**
 * The station under systemd: READY=1 once it serves, WATCHDOG=1 while it is really working, STOPPING=1 on close.
 * "Working" means frames keep arriving, or the camera is known lost or ended and the station is saying so: a capture
 * loop wedged while the camera still counts as up, or an inspection that never finishes, stops the pings, and
 * systemd restarts the station after WatchdogSec. Started by anything else (no $NOTIFY_SOCKET), it does nothing.
 */
import { performance } from 'node:perf_hooks';
import type { FrameSource } from '../capture/index.ts';
import type { Log } from '../shared/domain.d.ts';
import type { PresenceTrigger } from '../trigger/index.ts';
import type { Camera } from './camera.ts';
import { openNotifier } from './sdNotify.ts';

/** An inspection takes well under a second; one running this long is stuck, not slow. */
export const INSPECTION_STALL_MS = 120_000;

export interface Liveness {
  camera: Camera['state'];
  /** Since the last frame (or since start, before the first one). */
  msSinceFrame: number;
  /** How long the current inspection has run; 0 when none runs. */
  msInspecting: number;
}

/** Why the station must not tell systemd it is alive, or null when it may. */
export function stuckReason(l: Liveness, frameStallMs: number, inspectionStallMs = INSPECTION_STALL_MS): string | null {
  if (l.msInspecting > inspectionStallMs) return `an inspection has run for ${Math.round(l.msInspecting / 1000)} s`;
  if (l.camera !== 'up') return null; // the outage is on the dashboard and the light: the station is doing its job
  if (l.msSinceFrame > frameStallMs)
    return `no frame for ${Math.round(l.msSinceFrame / 1000)} s while the camera counts as up`;
  return null;
}

export interface ServiceWatch {
  ready(status: string): void;
  stopping(): void;
  close(): Promise<void>;
}

const NONE: ServiceWatch = { ready() {}, stopping() {}, close: async () => {} };

export function watchService(
  parts: { source: FrameSource; camera: Camera; trigger: PresenceTrigger; log: Log },
  env: NodeJS.ProcessEnv = process.env,
): ServiceWatch {
  const { source, camera, trigger, log } = parts;
  const notifier = openNotifier(env, log);
  if (!notifier) return NONE;
  // systemd sets WATCHDOG_USEC with WatchdogSec=, and WATCHDOG_PID when the pings must come from one process.
  const watchdogMs = Number(env.WATCHDOG_USEC) / 1000;
  const ours = !env.WATCHDOG_PID || Number(env.WATCHDOG_PID) === process.pid;
  // Ping three times per period; call the frames stalled after a third of it, so a stall costs at most ~2 periods.
  const pingMs = watchdogMs > 0 && ours ? watchdogMs / 3 : 0;
  const frameStallMs = watchdogMs / 3;

  let lastFrame = performance.now();
  let inspectingSince: number | null = null;
  let withheld: string | null = null;
  source.on('frame', () => {
    lastFrame = performance.now();
  });
  camera.onChange((state, reason) => notifier.send(`STATUS=camera ${state}${reason ? `: ${reason}` : ''}`));

  const tick = () => {
    const now = performance.now();
    inspectingSince = trigger.state === 'inspecting' ? (inspectingSince ?? now) : null;
    const reason = stuckReason(
      {
        camera: camera.state,
        msSinceFrame: now - lastFrame,
        msInspecting: inspectingSince ? now - inspectingSince : 0,
      },
      frameStallMs,
    );
    if (reason && !withheld) log.error(`${reason}: holding back the watchdog, so systemd restarts the station`);
    if (!reason && withheld) log.info('the station works again: watchdog pings resume');
    withheld = reason;
    if (!reason) notifier.send('WATCHDOG=1');
  };
  let timer: NodeJS.Timeout | undefined;

  return {
    ready(status) {
      notifier.send(`READY=1\nSTATUS=${status}`);
      if (pingMs > 0) {
        lastFrame = Math.max(lastFrame, performance.now()); // the stall clock starts when the station serves
        timer = setInterval(tick, pingMs);
        timer.unref();
      }
    },
    stopping() {
      clearInterval(timer);
      notifier.send('STOPPING=1');
    },
    async close() {
      clearInterval(timer);
      await notifier.close();
    },
  };
}
