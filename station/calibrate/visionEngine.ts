/**
 * The real inspection engine (station/vision) behind calibration's small interface, and calibration's view of the
 * station's engine pool (station/engines/): a factory of adapted engines and self-tuning over the pool's backbones.
 */
import type { EnginePool } from '../engines/pool.ts';
import type { Augmentation } from '../vision/augment.ts';
import type { Engine } from '../vision/engine.ts';
import { decodeImage } from '../vision/preprocess.ts';
import { decodeReferenceSet, encodeReferenceSet, type ReferenceSet } from '../vision/referenceSet.ts';
import type { PatchEmbedding } from '../vision/types.ts';
import { withoutImages } from '../vision/withoutImages.ts';
import { buildOn, sharedCoresetPool, type CoresetThreads } from './coreset/pool.ts';
import type { CalibrationEngine, EngineFactory } from './engine.ts';
import { productTuner, type ProductTuner } from './tune/productTuner.ts';

/** Memory-bank size when product.json does not set coresetSize (the engine's evaluation default). */
export const DEFAULT_CORESET_SIZE = 10_000;

/** `coresets`, when given, chooses banks off the calling thread, several at once (see coreset/pool.ts). */
export function adaptEngine(
  engine: Engine,
  defaultCoreset = DEFAULT_CORESET_SIZE,
  augment: Augmentation = 'none',
  coresets?: CoresetThreads,
): CalibrationEngine<PatchEmbedding, ReferenceSet> {
  const manifest = engine.manifest;
  return {
    modelSha256: manifest.sha256,
    modelId: manifest.id,
    defaultCoresetSize: defaultCoreset,
    buildsAtOnce: coresets?.size ?? 1,
    embed: (buf, name) => engine.embedImage(buf, name),
    embedViews: async (buf, name) =>
      augment === 'none' ? [] : engine.embedViews(await decodeImage(buf, name), augment),
    imageEmbedding: (e) => e.imageEmbedding,
    grid: (e) => ({ gridW: e.gridW, gridH: e.gridH }),
    build: (embs, names, o) =>
      buildOn(coresets, engine, embs, names, {
        coresetSize: o.coresetSize ?? defaultCoreset,
        seed: o.seed,
        views: o.views,
        itemRegion: o.itemRegion,
      }),
    without(set, names) {
      const pruned = withoutImages(set, names);
      return { set: pruned, share: 1 - pruned.bankSize / set.bankSize };
    },
    async score(e, set) {
      const r = await engine.score(e, set);
      return { score: r.score, patchScores: r.patchScores, contentMask: r.scoredMask };
    },
    serialise: (set, extras) =>
      encodeReferenceSet({
        ...set,
        ...(extras?.tuning ? { tuning: extras.tuning } : {}),
        ...(extras?.judging ? { judging: extras.judging } : {}),
      }),
    judgingOf: (set) => set.judging,
    // decodeReferenceSet copies each block out, so a pooled or misaligned Buffer from readFileSync is fine.
    deserialise(bytes, file) {
      const set = decodeReferenceSet(bytes, {
        source: file,
        expectedModel: { id: manifest.id, sha256: manifest.sha256 },
      });
      if (set.partner) throw new Error(`${file}: holds a pair of configurations, this engine runs one`);
      return set;
    },
  };
}

/** What calibrateProduct takes from the pool: its engine factory and self-tuning. */
export interface CalibrationEngines {
  /** Loads the chosen backbone when it is not loaded yet. */
  engineFor: EngineFactory;
  /** Self-tuning over the pool's backbones, for calibrateProduct's `tune`. */
  tune: ProductTuner;
}

export function calibrationEngines(
  engines: Pick<EnginePool, 'pool' | 'loadEngine'>,
  coresets: CoresetThreads = sharedCoresetPool(),
): CalibrationEngines {
  return {
    engineFor: async (choice) =>
      adaptEngine(
        await engines.loadEngine(choice),
        DEFAULT_CORESET_SIZE,
        choice.augment,
        coresets,
      ) as CalibrationEngine,
    tune: productTuner(Object.keys(engines.pool), engines.loadEngine, DEFAULT_CORESET_SIZE, coresets),
  };
}
