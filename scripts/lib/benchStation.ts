/**
 * The station as `npm start` composes it, on a temporary data folder with the demo product and a looping replay of
 * its items: what the end-to-end, load and soak benchmarks run. `prepare` runs before the station starts (to add
 * another product to the calibration folder, say).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readManifest } from '../../models/manifest-file.ts';
import { startStation, type Log, type Station } from '../../station/app.ts';
import { parseConfig } from '../../station/config.ts';
import { DEMO_FRAME, DEMO_PRODUCT, ensureDemo, type DemoPaths } from '../../station/demo/demoStation.ts';

export interface BenchStationOptions {
  /** Replay timing: frames per second, item on the bench, empty bench between items. */
  replay: { fps: number; holdMs: number; gapMs: number };
  trigger: { steadyMs: number; emptyMs: number };
  /** A manifest path for the station's backbone (default: the station's). */
  model?: string;
  prepare?: (demo: DemoPaths) => Promise<void>;
  /** The config's `network` section: the station publishes its outbox to a workshop broker (default: none). */
  network?: { station: string; broker: string; passwordFile: string };
}

export interface BenchStation {
  station: Station;
  dataDir: string;
  /** Closes the station (once); its data folder stays for a look at what it stored. */
  stop(): Promise<void>;
  /** Stops the station and removes the data folder. */
  close(): Promise<void>;
}

const quiet: Log = {
  info: () => undefined,
  warn: (m: string) => console.warn(`  station warning: ${m}`),
  error: (m: string) => console.error(`  station error: ${m}`),
};

export async function startBenchStation(o: BenchStationOptions): Promise<BenchStation> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bench-station-'));
  try {
    const demo = await ensureDemo(dataDir, {
      replayItems: 24,
      ...(o.model ? { backbone: readManifest(o.model).id } : {}),
    });
    await o.prepare?.(demo);
    const config = parseConfig(
      {
        dataDir,
        calibrationDir: demo.calibrationDir,
        product: DEMO_PRODUCT,
        camera: {
          kind: 'folder',
          path: demo.replayDir,
          width: DEMO_FRAME,
          height: DEMO_FRAME,
          emptyBench: demo.emptyBench,
          loop: true,
          ...o.replay,
        },
        trigger: o.trigger,
        server: { host: '127.0.0.1', port: 0 },
        ...(o.model ? { model: o.model } : {}),
        ...(o.network ? { network: o.network } : {}),
      },
      'bench',
    );
    const station = await startStation(config, quiet);
    let stopped: Promise<void> | undefined;
    const stop = () => (stopped ??= station.close());
    return {
      station,
      dataDir,
      stop,
      async close() {
        await stop();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
}
