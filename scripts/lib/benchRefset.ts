/**
 * `npm run bench -- <images> --refset <file>`: what one calibrated product runs, timed as the station runs it
 * (engines/setInspection.ts: one engine, or both of a pair), one decoded frame at a time after a warm-up, against
 * the latency budget its self-tuning chose within.
 */
import { readFileSync } from 'node:fs';
import { DEFAULT_BACKBONE, generatedManifestPath } from '../../models/load.ts';
import { DEFAULT_LATENCY_BUDGET_MS } from '../../station/calibrate/tune/budget.ts';
import { enginePool } from '../../station/engines/pool.ts';
import { inspectorForSet } from '../../station/engines/setInspection.ts';
import { decodeImage } from '../../station/vision/preprocess.ts';
import { backbonesOf, decodeReferenceSet } from '../../station/vision/referenceSet.ts';
import type { TuningSummary } from '../../station/calibrate/tune/productTuner.ts';
import type { BenchImage } from './benchImages.ts';

export interface RefsetBench {
  file: string;
  productId: string | null;
  /** What the product runs (its self-tuning's label, else its backbone). */
  runs: string;
  budgetMs: number;
  /** What self-tuning predicted for it (the cost model, see calibrate/tune/cost.ts); null: not self-tuned. */
  predictedMs: number | null;
  /** Capture-to-score of each probe, ms (a decoded frame to its score and heatmap). */
  captureToScore: number[];
}

/** The chosen configuration's (or pair's) latency as the search judged it. */
function predictedOf(tuning: Partial<TuningSummary> | undefined): number | null {
  const rows = [...(tuning?.pairs ?? []), ...(tuning?.candidates ?? [])];
  return rows.find((r) => r.label === tuning?.chosen)?.latencyMs ?? null;
}

export async function benchRefset(file: string, probe: BenchImage[]): Promise<RefsetBench> {
  const set = decodeReferenceSet(readFileSync(file), { source: file });
  const tuning = set.tuning as Partial<TuningSummary> | undefined;
  const pool = await enginePool(generatedManifestPath(DEFAULT_BACKBONE));
  try {
    const missing = backbonesOf(set).find((m) => !pool.hasBackbone(m.sha256));
    if (missing) throw new Error(`${file}: built with backbone ${missing.id}, which this station does not have`);
    await pool.preload(backbonesOf(set).map((m) => m.sha256));
    const inspect = inspectorForSet(pool, set);
    const frames = [];
    for (const im of probe) frames.push(await decodeImage(im.bytes, im.name));
    await inspect(frames[0]); // builds the kNN sessions, lets ORT pre-pack
    const captureToScore: number[] = [];
    for (const f of frames) {
      const t0 = performance.now();
      await inspect(f);
      captureToScore.push(performance.now() - t0);
    }
    return {
      file,
      productId: set.judging?.productId ?? null,
      runs:
        typeof tuning?.chosen === 'string'
          ? tuning.chosen
          : backbonesOf(set)
              .map((m) => m.id)
              .join(' + '),
      budgetMs: typeof tuning?.budgetMs === 'number' ? tuning.budgetMs : DEFAULT_LATENCY_BUDGET_MS,
      predictedMs: predictedOf(tuning),
      captureToScore,
    };
  } finally {
    await pool.close();
  }
}
