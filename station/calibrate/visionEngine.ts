/** The real inspection engine (station/vision) behind calibration's small interface. */
import { loadBackbone, type Backbone } from '../../models/load.ts';
import { createEngine, type Engine } from '../vision/engine.ts';
import { decodeReferenceSet, encodeReferenceSet, type ReferenceSet } from '../vision/referenceSet.ts';
import type { EngineSettings } from '../vision/settings.ts';
import type { PatchEmbedding } from '../vision/types.ts';
import type { CalibrationEngine, EngineChoice, EngineFactory } from './engine.ts';

/** Bank size when product.json does not set coresetSize (the engine's evaluation default). */
export const DEFAULT_CORESET_SIZE = 10_000;

export function adaptEngine(engine: Engine, defaultCoreset = DEFAULT_CORESET_SIZE): CalibrationEngine<PatchEmbedding, ReferenceSet> {
  const manifest = engine.manifest;
  return {
    modelSha256: manifest.sha256,
    defaultCoresetSize: defaultCoreset,
    embed: (buf, name) => engine.embedImage(buf, name),
    imageEmbedding: (e) => e.imageEmbedding,
    grid: (e) => ({ gridW: e.gridW, gridH: e.gridH }),
    build: (embs, names, o) => engine.buildReferenceSet(embs, names, { coresetSize: o.coresetSize ?? defaultCoreset, seed: o.seed }),
    async score(e, set) {
      const r = await engine.score(e, set);
      return { score: r.score, patchScores: r.patchScores, contentMask: e.contentMask };
    },
    serialise: (set) => encodeReferenceSet(set),
    // decodeReferenceSet copies each block out, so a pooled or misaligned Buffer from readFileSync is fine.
    deserialise: (bytes, file) => decodeReferenceSet(bytes, {
      source: file, expectedModel: { id: manifest.id, sha256: manifest.sha256 },
    }),
  };
}

/**
 * One backbone session shared by every product; one engine per input mode (pad / crop).
 * `close()` releases them all.
 */
export async function visionEngines(manifestPath: string, overrides: Partial<EngineSettings> = {}): Promise<{
  engineFor: EngineFactory; engine(inputMode: EngineChoice['inputMode']): Engine; backbone: Backbone; close(): Promise<void>;
}> {
  const backbone = await loadBackbone(manifestPath);
  const engines = new Map<string, Engine>();
  const engine = (inputMode: EngineChoice['inputMode']): Engine => {
    let e = engines.get(inputMode);
    if (!e) engines.set(inputMode, (e = createEngine(backbone, { ...overrides, resize: inputMode })));
    return e;
  };
  const engineFor: EngineFactory = async (choice: EngineChoice) => adaptEngine(engine(choice.inputMode)) as CalibrationEngine;
  return {
    engineFor, engine, backbone,
    async close() {
      for (const e of engines.values()) await e.release();
      await backbone.session.release();
    },
  };
}
