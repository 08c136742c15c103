/**
 * Measure a backbone's cost model (see cost.ts) on this machine: median capture-to-score at several input sizes,
 * each with the bank the tuner would give it, and the line through them. `npm run model:add` stores the result in
 * a new model's manifest; `scripts/bench-model.ts --cost` prints it for the prepared ones (models/sources.json).
 */
import { createEngine, type BackboneHandle } from '../../vision/engine.ts';
import type { DecodedImage } from '../../vision/types.ts';
import { seededRandom } from '../../shared/random.ts';
import { lowerMedian } from '../../shared/numbers.ts';
import { bankFor } from './candidates.ts';
import { fitCost, type CaptureCost } from './cost.ts';
import { timeInspections } from './timing.ts';

/** A square input, a long part's native aspect: the shapes a product's candidates take. */
const SHAPES: { size: number; aspect: number }[] = [
  { size: 224, aspect: 1 },
  { size: 448, aspect: 1 },
  { size: 640, aspect: 2.5 },
  { size: 640, aspect: 1 },
];

/** A 1024 px photograph-sized frame of seeded noise: fitting it costs what fitting a camera frame costs. */
function noiseFrame(side = 1024): DecodedImage {
  const rand = seededRandom(1);
  const data = new Uint8Array(side * side * 3);
  for (let i = 0; i < data.length; i++) data[i] = Math.floor(rand() * 256);
  return { name: 'cost-frame', width: side, height: side, data };
}

export async function measureCaptureCost(
  backbone: BackboneHandle,
  opts: { runs?: number; coresetSize?: number; images?: DecodedImage[] } = {},
): Promise<CaptureCost> {
  const images = opts.images?.length ? opts.images : [noiseFrame()];
  const dynamic = backbone.manifest.input.dynamicSize;
  const shapes = dynamic ? SHAPES : [{ size: backbone.manifest.input.size, aspect: 1 }];
  const points: { inputPixels: number; ms: number }[] = [];
  for (const { size, aspect } of shapes) {
    const engine = createEngine(backbone, { size, aspect });
    try {
      const input = await engine.preprocess(images[0]);
      const embs = [await engine.embed(input)];
      const bank = bankFor({ size, aspect: aspect === 1 ? 'square' : 'native' }, aspect, opts.coresetSize ?? 10_000);
      const ms = await timeInspections(engine, images, embs, bank, opts.runs ?? 12);
      points.push({ inputPixels: input.width * input.height, ms: lowerMedian(ms) });
    } finally {
      await engine.release();
    }
  }
  const when = new Date().toISOString().slice(0, 10);
  const measured = `capture-to-score median at ${shapes.map((s) => `${s.size}${s.aspect === 1 ? '²' : ` at ${s.aspect}:1`}`).join(', ')}, ${when}`;
  if (points.length === 1) {
    // One fixed size: charge all of it per pixel, so the prediction at that size is the timing itself.
    return { fixedMs: 0, msPerMegapixel: points[0].ms / (points[0].inputPixels / 1e6), measured };
  }
  return { ...fitCost(points), measured };
}
