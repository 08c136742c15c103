// The whole station for tests: the demo's generated product (calibrated at first start by the
// station itself), a folder replay of known items through the camera interface, a real SQLite
// file, the real backbone, and a socket.io client watching the live events.
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { io as ioClient, type Socket } from 'socket.io-client';
import { startStation, type Log, type Station, type StationParts } from '../../station/app.ts';
import { parseConfig, type StationConfig } from '../../station/config.ts';
import { DEMO_FRAME, DEMO_PRODUCT, ensureDemo, type DemoPaths } from '../../station/demo/demoStation.ts';

/** Replay timing at 15 fps: long enough holds that a slow inspection never overlaps the next item. */
export const REPLAY = { fps: 15, holdMs: 1200, gapMs: 600 } as const;
export const TRIGGER = { steadyMs: 250, emptyMs: 250 } as const;

export interface Bench {
  dataDir: string;
  demo: DemoPaths;
  /** Replay item file names in play order; 'good' or the drawn defect is in each name. */
  items: string[];
}

/** A fresh data folder with the demo product and `replayItems` items (every third one defective). */
export async function makeBench(replayItems: number): Promise<Bench> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'station-runtime-'));
  const demo = await ensureDemo(dataDir, { replayItems });
  const items = readdirSync(demo.replayDir)
    .filter((f) => f.endsWith('.png'))
    .sort();
  return { dataDir, demo, items };
}

export const expectedVerdict = (file: string) => (file.includes('-good') ? 'pass' : 'fail');

/** The config file a workshop would write for this bench (`extra` overrides top-level fields). */
export function benchConfigJson(bench: Bench, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    dataDir: bench.dataDir,
    calibrationDir: bench.demo.calibrationDir,
    product: DEMO_PRODUCT,
    camera: {
      kind: 'folder',
      path: bench.demo.replayDir,
      width: DEMO_FRAME,
      height: DEMO_FRAME,
      emptyBench: bench.demo.emptyBench,
      loop: false,
      ...REPLAY,
    },
    trigger: TRIGGER,
    server: { host: '127.0.0.1', port: 0 },
    ...extra,
  };
}

/** The same, validated by the config parser. */
export function benchConfig(bench: Bench, extra: Record<string, unknown> = {}): StationConfig {
  return parseConfig(benchConfigJson(bench, extra), 'runtime test config');
}

/** Writes the config as a file, as a workshop would, for the station process started by `npm start`. */
export function writeConfigFile(bench: Bench, extra: Record<string, unknown> = {}): string {
  const file = path.join(bench.dataDir, 'station.json');
  writeFileSync(file, JSON.stringify(benchConfigJson(bench, extra), null, 2));
  return file;
}

export function memoryLog(): Log & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (m) => void lines.push(`info ${m}`),
    warn: (m) => void lines.push(`warn ${m}`),
    error: (m) => void lines.push(`error ${m}`),
  };
}

export interface Running {
  station: Station;
  live: Live;
  log: ReturnType<typeof memoryLog>;
  close(): Promise<void>;
}

export async function run(
  bench: Bench,
  extra: Record<string, unknown> = {},
  parts: StationParts = {},
): Promise<Running> {
  const log = memoryLog();
  const station = await startStation(benchConfig(bench, extra), log, parts);
  const live = await Live.connect(station.url);
  return {
    station,
    live,
    log,
    async close() {
      live.close();
      await station.close();
    },
  };
}

/** A socket.io client that keeps every event it receives, in order. */
export class Live {
  readonly events: Array<{ event: string; payload: Record<string, unknown> }> = [];
  private waiters: Array<() => void> = [];

  private constructor(private readonly socket: Socket) {
    socket.onAny((event: string, payload: Record<string, unknown>) => {
      this.events.push({ event, payload });
      for (const w of [...this.waiters]) w();
    });
  }

  static async connect(url: string): Promise<Live> {
    const socket = ioClient(url, { transports: ['websocket'] });
    const live = new Live(socket);
    await live.waitFor('hello', () => true, 10_000);
    return live;
  }

  of(event: string): Record<string, unknown>[] {
    return this.events.filter((e) => e.event === event).map((e) => e.payload);
  }

  /** Resolves with the first payload (past or future) of `event` that passes `pred`. */
  waitFor(
    event: string,
    pred: (p: Record<string, unknown>) => boolean,
    timeoutMs = 60_000,
  ): Promise<Record<string, unknown>> {
    const find = () => this.of(event).find(pred);
    const hit = find();
    if (hit) return Promise.resolve(hit);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== check);
        reject(
          new Error(
            `no matching '${event}' event within ${timeoutMs} ms; got: ${this.events.map((e) => e.event).join(', ')}`,
          ),
        );
      }, timeoutMs);
      const check = () => {
        const p = find();
        if (!p) return;
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== check);
        resolve(p);
      };
      this.waiters.push(check);
    });
  }

  close(): void {
    this.socket.close();
  }
}

/** Resolves when a non-looping replay has played every item and the last inspection is done. */
export async function replayFinished(r: Running, timeoutMs = 120_000): Promise<void> {
  // The replay may have ended already (a long step in the test outlasted it).
  if (r.station.source.state !== 'stopped')
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`replay did not end within ${timeoutMs} ms`)), timeoutMs);
      r.station.source.once('end', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  // The last item may still be in the pipeline when the source ends.
  while (r.station.trigger.state === 'inspecting') await new Promise((res) => setTimeout(res, 50));
}
