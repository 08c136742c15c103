/**
 * The frame source the station config asks for. The demo is a folder replay of its generated items: it goes
 * through the same code path as a workshop's folder or camera.
 */
import type { CaptureConfig } from '../capture/index.ts';
import { resolvePath, type StationConfig } from '../config.ts';
import { DEMO_FRAME } from '../demo/demoStation.ts';

export function captureConfig(
  config: StationConfig,
  demo: { replayDir: string; emptyBench: string } | null,
): CaptureConfig {
  const c = config.camera;
  switch (c.kind) {
    case 'camera':
      return { kind: 'camera', input: c.device, width: c.width, height: c.height, fps: c.fps, exposure: c.exposure };
    case 'video':
      return { kind: 'video', input: resolvePath(config, c.path), loop: c.loop, replayFps: c.fps };
    case 'folder':
      return {
        kind: 'folder',
        folder: resolvePath(config, c.path),
        width: c.width,
        height: c.height,
        fps: c.fps,
        holdMs: c.holdMs,
        gapMs: c.gapMs,
        emptyImage: c.emptyBench ? resolvePath(config, c.emptyBench) : undefined,
        loop: c.loop,
      };
    case 'demo':
      return {
        kind: 'folder',
        folder: demo!.replayDir,
        width: DEMO_FRAME,
        height: DEMO_FRAME,
        holdMs: c.holdMs,
        gapMs: c.gapMs,
        emptyImage: demo!.emptyBench,
        loop: true,
        settleMs: 300,
      };
  }
}
