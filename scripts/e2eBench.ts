/**
 * The station end to end, as `npm start` composes it: the demo product calibrated at first start, a folder
 * replay looping through its items, and a socket.io client in this process. For every inspection:
 *   frame arrival (the steady frame the trigger chose) → verdict committed to SQLite → event received by the client.
 * The trigger's wait for a still item is not included: it is a setting (steadyMs), not work.
 */
import { io as ioClient } from 'socket.io-client';
import { percentile } from '../station/vision/metrics.ts';
import { type BenchStationOptions, startBenchStation } from './lib/benchStation.ts';
import { Progress } from './lib/progress.ts';

export interface EndToEnd {
  items: number;
  committedMs: number[];
  receivedMs: number[];
  verdicts: Record<string, number>;
  /** Stage times each inspection row stored (engine stages, overlay, evidence files, total), by stage. */
  stages: Record<string, number[]>;
}

/**
 * `model`: a manifest path for the station's backbone (default: the station's). `network`: the config's network
 * section, to measure the station while it publishes (scripts/benchWorkshop.ts).
 */
export async function benchEndToEnd(
  items: number,
  model?: string,
  network?: BenchStationOptions['network'],
): Promise<EndToEnd> {
  const bench = await startBenchStation({
    replay: { fps: 30, holdMs: 500, gapMs: 250 },
    trigger: { steadyMs: 150, emptyMs: 150 },
    model,
    network,
  });
  try {
    const { station } = bench;
    const committed = new Map<number, { frameAt: number; committedAt: number }>();
    station.onInspection((row, frame) => {
      committed.set(row.id, { frameAt: frame.capturedAt, committedAt: Date.now() });
      if (committed.size > items) return;
      for (const [k, v] of Object.entries(row.timings)) result.stages[k] = [...(result.stages[k] ?? []), v];
    });

    const socket = ioClient(station.url, { transports: ['websocket'] });
    const result: EndToEnd = { items, committedMs: [], receivedMs: [], verdicts: {}, stages: {} };
    const bar = new Progress('end to end', items);
    await new Promise<void>((resolve) => {
      socket.on('inspection', (p: { id: number; verdict: string }) => {
        const receivedAt = Date.now();
        const c = committed.get(p.id);
        if (!c || result.receivedMs.length >= items) return;
        result.committedMs.push(c.committedAt - c.frameAt);
        result.receivedMs.push(receivedAt - c.frameAt);
        result.verdicts[p.verdict] = (result.verdicts[p.verdict] ?? 0) + 1;
        bar.tick(result.receivedMs.length);
        if (result.receivedMs.length === items) resolve();
      });
    });
    bar.done();
    socket.close();
    return result;
  } finally {
    await bench.close();
  }
}

export function printEndToEnd(r: EndToEnd): void {
  const f = (xs: number[]) =>
    `p50 ${percentile(xs, 50).toFixed(0).padStart(5)} ms   p95 ${percentile(xs, 95).toFixed(0).padStart(5)} ms`;
  console.log(
    `end to end over ${r.items} replayed items (verdicts ${Object.entries(r.verdicts)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}):`,
  );
  console.log(`  frame → verdict committed         ${f(r.committedMs)}`);
  console.log(`  frame → event at socket.io client ${f(r.receivedMs)}`);
  const stages = Object.entries(r.stages).map(([k, xs]) => `${k.replace(/Ms$/, '')} ${percentile(xs, 50).toFixed(1)}`);
  if (stages.length) console.log(`  stored stage times, p50 ms: ${stages.join(', ')}`);
}
