/** The real inspection engine (station/vision) behind calibration's small interface, and the station's backbone pool. */
import { existsSync } from 'node:fs';
import { generatedManifestPath, loadBackbone, type Backbone } from '../../models/load.ts';
import { readManifest } from '../../models/manifest-file.ts';
import type { Augmentation } from '../vision/augment.ts';
import { createEngine, type Engine } from '../vision/engine.ts';
import { decodeImage } from '../vision/preprocess.ts';
import { decodeReferenceSet, encodeReferenceSet, type ReferenceSet } from '../vision/referenceSet.ts';
import type { EngineSettings } from '../vision/settings.ts';
import type { PatchEmbedding } from '../vision/types.ts';
import type { CalibrationEngine, EngineChoice, EngineFactory } from './engine.ts';
import { BACKBONE_POOL } from './tune/pool.ts';
import { productTuner, type ProductTuner } from './tune/productTuner.ts';

/** Bank size when product.json does not set coresetSize (the engine's evaluation default). */
export const DEFAULT_CORESET_SIZE = 10_000;

export function adaptEngine(
  engine: Engine,
  defaultCoreset = DEFAULT_CORESET_SIZE,
  augment: Augmentation = 'none',
): CalibrationEngine<PatchEmbedding, ReferenceSet> {
  const manifest = engine.manifest;
  return {
    modelSha256: manifest.sha256,
    modelId: manifest.id,
    defaultCoresetSize: defaultCoreset,
    embed: (buf, name) => engine.embedImage(buf, name),
    embedViews: async (buf, name) =>
      augment === 'none' ? [] : engine.embedViews(await decodeImage(buf, name), augment),
    imageEmbedding: (e) => e.imageEmbedding,
    grid: (e) => ({ gridW: e.gridW, gridH: e.gridH }),
    build: (embs, names, o) =>
      engine.buildReferenceSet(embs, names, {
        coresetSize: o.coresetSize ?? defaultCoreset,
        seed: o.seed,
        views: o.views,
        itemRegion: o.itemRegion,
      }),
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
    deserialise: (bytes, file) =>
      decodeReferenceSet(bytes, {
        source: file,
        expectedModel: { id: manifest.id, sha256: manifest.sha256 },
      }),
  };
}

export interface VisionEngines {
  /** Calibration's factory: loads the chosen backbone when it is not loaded yet. */
  engineFor: EngineFactory;
  /** The engine for a choice whose backbone is loaded (the station's default backbone always is). */
  engine(choice: EngineChoice): Engine;
  /** The engine for a choice, loading its backbone first when needed. */
  loadEngine(choice: EngineChoice): Promise<Engine>;
  /** The engine a reference set was built for: its backbone (by checksum) and its feature settings. */
  engineForSet(set: ReferenceSet): Engine;
  /** Load the pool's backbones whose checksum is among these (the active reference sets' models). */
  preload(sha256s: string[]): Promise<void>;
  /** Backbone id → manifest path: what self-tuning may choose from. */
  readonly pool: Record<string, string>;
  /** Does the pool hold the backbone with this checksum (a reference set built with it can run here)? */
  hasBackbone(sha256: string): boolean;
  /** Self-tuning over this pool, for calibrateProduct's `tune`. */
  readonly tune: ProductTuner;
  /** The station's default backbone (config `model`). */
  readonly backbone: Backbone;
  close(): Promise<void>;
}

/** The generated pool backbones that exist, plus the configured default (which may be a brought-your-own one). */
export function backbonePool(defaultManifest: string): Record<string, string> {
  const pool: Record<string, string> = {};
  for (const id of BACKBONE_POOL) if (existsSync(generatedManifestPath(id))) pool[id] = generatedManifestPath(id);
  pool[readManifest(defaultManifest).id] = defaultManifest;
  return pool;
}

/**
 * Backbone sessions shared by every product (each loaded once, the default at start, others when a product's
 * reference set or calibration needs them); one engine per backbone and feature settings. `close()` releases all.
 */
export async function visionEngines(
  manifestPath: string,
  overrides: Partial<EngineSettings> = {},
  pool = backbonePool(manifestPath),
): Promise<VisionEngines> {
  const main = await loadBackbone(manifestPath);
  const loaded = new Map<string, Backbone>([[main.manifest.id, main]]);
  const loading = new Map<string, Promise<Backbone>>();
  const engines = new Map<string, Engine>();
  const load = async (id: string): Promise<Backbone> => {
    const have = loaded.get(id);
    if (have) return have;
    if (!pool[id])
      throw new Error(
        `backbone "${id}" is not available on this station (it has ${Object.keys(pool).join(', ')}); run \`npm run models\` or choose another`,
      );
    let p = loading.get(id);
    if (!p) {
      p = loadBackbone(pool[id]).then((b) => {
        loaded.set(id, b);
        return b;
      });
      loading.set(id, p);
    }
    return p;
  };
  const settingsOf = (choice: EngineChoice): Partial<EngineSettings> => ({
    ...overrides,
    ...choice.settings,
    resize: choice.inputMode,
  });
  const engineOn = (b: Backbone, settings: Partial<EngineSettings>): Engine => {
    const key = `${b.manifest.id} ${JSON.stringify(settings)}`;
    let e = engines.get(key);
    if (!e) {
      e = createEngine(b, settings);
      engines.set(key, e);
    }
    return e;
  };
  const engine = (choice: EngineChoice): Engine => {
    const id = choice.backbone ?? main.manifest.id;
    const b = loaded.get(id);
    if (!b) throw new Error(`backbone "${id}" is not loaded; calibrate the product again or restart the station`);
    return engineOn(b, settingsOf(choice));
  };
  const poolSha = new Map<string, string>();
  const shaOf = (id: string) => {
    if (!poolSha.has(id)) {
      try {
        poolSha.set(id, readManifest(pool[id]).sha256);
      } catch {
        poolSha.set(id, '');
      }
    }
    return poolSha.get(id)!;
  };
  const loadEngine = async (choice: EngineChoice) => {
    await load(choice.backbone ?? main.manifest.id);
    return engine(choice);
  };
  return {
    pool,
    backbone: main,
    engine,
    loadEngine,
    hasBackbone: (sha256) => Object.keys(pool).some((id) => shaOf(id) === sha256),
    tune: productTuner(Object.keys(pool), loadEngine, DEFAULT_CORESET_SIZE),
    engineFor: async (choice) =>
      adaptEngine(await loadEngine(choice), DEFAULT_CORESET_SIZE, choice.augment) as CalibrationEngine,
    engineForSet(set) {
      const b = [...loaded.values()].find((x) => x.manifest.sha256 === set.model.sha256);
      if (!b) {
        throw new Error(
          `reference set was built with backbone ${set.model.id} (sha256 ${set.model.sha256.slice(0, 12)}…), which this station has not loaded or ` +
            `no longer has; rebuild the reference set (npm run calibrate)`,
        );
      }
      // The set's own settings (input size, aspect, region, taps …) win: a reference set is self-contained.
      return engineOn(b, { ...overrides, ...set.settings });
    },
    async preload(sha256s) {
      for (const id of Object.keys(pool)) if (!loaded.has(id) && sha256s.includes(shaOf(id))) await load(id);
    },
    async close() {
      for (const e of engines.values()) await e.release();
      engines.clear();
      for (const b of loaded.values()) await b.session.release();
      loaded.clear();
    },
  };
}
