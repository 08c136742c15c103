/**
 * A long replay through the whole station (`npm run bench -- --soak N`): N items on a fast looping replay, then
 * the figures a bench left running for days depends on: resident memory after warm-up and at the end (growth ≤ 5 %),
 * items lost (inspections announced vs rows stored: 0), and rows whose frame or heatmap file is missing (0).
 */
import { existsSync } from 'node:fs';
import { openStore, resolveEvidence } from '../station/store/index.ts';
import { startBenchStation } from './lib/benchStation.ts';
import { Progress } from './lib/progress.ts';

export interface SoakFigures {
  items: number;
  seconds: number;
  warmRssMiB: number;
  endRssMiB: number;
  rowsStored: number;
  lost: number;
  missingEvidence: number;
}

const WARM_UP = 500;

export async function benchSoak(items: number): Promise<SoakFigures> {
  const bench = await startBenchStation({
    replay: { fps: 30, holdMs: 300, gapMs: 200 },
    trigger: { steadyMs: 100, emptyMs: 100 },
  });
  const { station, dataDir } = bench;
  try {
    const ids: number[] = [];
    const rss = (): number => process.memoryUsage().rss / 2 ** 20;
    let warmRss = 0;
    const t0 = performance.now();
    const bar = new Progress('soak', items);
    await new Promise<void>((resolve) => {
      station.onInspection((row) => {
        if (ids.length >= items) return;
        ids.push(row.id);
        if (ids.length === Math.min(WARM_UP, items)) warmRss = rss();
        if (ids.length % 50 === 0) bar.tick(ids.length);
        if (ids.length === items) resolve();
      });
    });
    bar.done();
    const seconds = (performance.now() - t0) / 1000;
    const endRss = rss();
    await bench.stop();
    const store = openStore(dataDir);
    try {
      let missing = 0;
      let stored = 0;
      for (const id of ids) {
        const row = store.inspections.get(id);
        if (!row) continue;
        stored++;
        for (const p of [row.framePath, row.heatmapPath]) if (!p || !existsSync(resolveEvidence(dataDir, p))) missing++;
      }
      return {
        items,
        seconds,
        warmRssMiB: warmRss,
        endRssMiB: endRss,
        rowsStored: stored,
        lost: ids.length - stored,
        missingEvidence: missing,
      };
    } finally {
      store.close();
    }
  } finally {
    await bench.close();
  }
}

export function printSoak(r: SoakFigures): void {
  const growth = r.warmRssMiB ? (r.endRssMiB / r.warmRssMiB - 1) * 100 : NaN;
  console.log(
    `soak over ${r.items} items in ${(r.seconds / 60).toFixed(1)} min: RSS ${r.warmRssMiB.toFixed(0)} MiB after ${Math.min(WARM_UP, r.items)} items → ${r.endRssMiB.toFixed(0)} MiB at the end ` +
      `(${growth >= 0 ? '+' : ''}${growth.toFixed(1)} %; ≤ 5 % wanted), ${r.rowsStored} rows stored, ${r.lost} lost, ${r.missingEvidence} evidence files missing`,
  );
}
