/**
 * Measure a backbone's cost model (see cost.ts) on this machine: median capture-to-score without the kNN search at
 * several input sizes, the line through them, and what the kNN search costs per patch × bank row beside it.
 * `npm run model:add` stores the line in a new model's manifest; `scripts/bench-model.ts --cost` prints both for
 * the prepared ones (models/sources.json).
 */
import { createEngine, type BackboneHandle } from '../../vision/engine.ts';
import type { DecodedImage } from '../../vision/types.ts';
import { seededRandom } from '../../shared/random.ts';
import { lowerMedian } from '../../shared/numbers.ts';
import { bankFor } from './candidates.ts';
import { fitCost, type CaptureCost } from './cost.ts';
import { timeInspections } from './timing.ts';

/**
 * The shapes a product's candidates take (224 and 448 long sides, square and a long part's native aspect). A 640²
 * point used to anchor the line, and its leverage put the prediction at 224² 10 ms under the timing.
 */
const SHAPES: { size: number; aspect: number }[] = [
  { size: 224, aspect: 1 },
  { size: 224, aspect: 2.5 },
  { size: 448, aspect: 1 },
  { size: 448, aspect: 2.5 },
];

/** A 1024 px photograph-sized frame of seeded noise: fitting it costs what fitting a camera frame costs. */
function noiseFrame(side = 1024): DecodedImage {
  const rand = seededRandom(1);
  const data = new Uint8Array(side * side * 3);
  for (let i = 0; i < data.length; i++) data[i] = Math.floor(rand() * 256);
  return { name: 'cost-frame', width: side, height: side, data };
}

export interface MeasuredCost extends CaptureCost {
  /** The kNN search per item patch × bank row on this machine, ms (cost.ts KNN_MS_PER_PATCH_ROW is the bench's). */
  knnMsPerPatchRow: number;
}

export async function measureCaptureCost(
  backbone: BackboneHandle,
  opts: { runs?: number; coresetSize?: number; images?: DecodedImage[] } = {},
): Promise<MeasuredCost> {
  const images = opts.images?.length ? opts.images : [noiseFrame()];
  const dynamic = backbone.manifest.input.dynamicSize;
  const shapes = dynamic ? SHAPES : [{ size: backbone.manifest.input.size, aspect: 1 }];
  const points: { inputPixels: number; ms: number }[] = [];
  const knnRates: number[] = [];
  for (const { size, aspect } of shapes) {
    const engine = createEngine(backbone, { size, aspect });
    try {
      const input = await engine.preprocess(images[0]);
      const embs = [await engine.embed(input)];
      const bank = bankFor({ size, aspect: aspect === 1 ? 'square' : 'native' }, aspect, opts.coresetSize ?? 10_000);
      const set = engine.buildReferenceSet(embs, ['timing'], { coresetSize: bank, seed: 1 });
      const runs = await timeInspections(engine, images, set, bank, opts.runs ?? 24);
      points.push({ inputPixels: input.width * input.height, ms: lowerMedian(runs.map((r) => r.ms - r.knnMs)) });
      knnRates.push(lowerMedian(runs.map((r) => r.knnMs / (r.patches * bank))));
    } finally {
      await engine.release();
    }
  }
  const when = new Date().toISOString().slice(0, 10);
  const measured = `capture-to-score without the kNN search, median at ${shapes.map((s) => `${s.size}${s.aspect === 1 ? '²' : ` at ${s.aspect}:1`}`).join(', ')}, ${when}`;
  const knnMsPerPatchRow = lowerMedian(knnRates);
  if (points.length === 1) {
    // One fixed size: charge all of it per pixel, so the prediction at that size is the timing itself.
    const msPerMegapixel = points[0].ms / (points[0].inputPixels / 1e6);
    return { fixedMs: 0, msPerMegapixel, measured, knnMsPerPatchRow };
  }
  return { ...fitCost(points), measured, knnMsPerPatchRow };
}
