/**
 * The station's pool of vision engines: each backbone loaded once (the default at start, the others when a product's
 * reference set or a calibration needs them), one engine per backbone and feature settings. The running station and
 * calibration share it; `close()` releases all. Calibration's view of it is calibrate/visionEngine.ts.
 */
import { existsSync } from 'node:fs';
import { generatedManifestPath, loadBackbone, type Backbone } from '../../models/load.ts';
import { readManifest } from '../../models/manifest-file.ts';
import { createEngine, type Engine } from '../vision/engine.ts';
import type { ReferenceSet } from '../vision/referenceSet.ts';
import type { EngineSettings, FeatureSettings } from '../vision/settings.ts';
import type { ResizeMode } from '../vision/types.ts';

/** The generated backbones a station may hold, cheapest first: self-tuning chooses among those present. */
export const BACKBONE_POOL = ['mobilenet_v2-features', 'inception_v3-features'];

/** Which engine: a backbone of the pool (default: the station's) and the settings it runs with. */
export interface EngineSpec {
  inputMode: ResizeMode;
  /** Backbone id from the station's pool (default: the station's backbone). */
  backbone?: string;
  /** Feature settings the product runs with (input size, aspect, region of interest). */
  settings?: Partial<FeatureSettings>;
}

export interface EnginePool {
  /** The engine for a spec whose backbone is loaded (the station's default backbone always is). */
  engine(spec: EngineSpec): Engine;
  /** The engine for a spec, loading its backbone first when needed. */
  loadEngine(spec: EngineSpec): Promise<Engine>;
  /** The engine a reference set was built for: its backbone (by checksum) and its feature settings. */
  engineForSet(set: ReferenceSet): Engine;
  /** Load the pool's backbones whose checksum is among these (the active reference sets' models). */
  preload(sha256s: string[]): Promise<void>;
  /** Backbone id → manifest path: what self-tuning may choose from. */
  readonly pool: Record<string, string>;
  /** Does the pool hold the backbone with this checksum (a reference set built with it can run here)? */
  hasBackbone(sha256: string): boolean;
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

export async function enginePool(
  manifestPath: string,
  overrides: Partial<EngineSettings> = {},
  pool = backbonePool(manifestPath),
): Promise<EnginePool> {
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
  const settingsOf = (spec: EngineSpec): Partial<EngineSettings> => ({
    ...overrides,
    ...spec.settings,
    resize: spec.inputMode,
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
  const engine = (spec: EngineSpec): Engine => {
    const id = spec.backbone ?? main.manifest.id;
    const b = loaded.get(id);
    if (!b) throw new Error(`backbone "${id}" is not loaded; calibrate the product again or restart the station`);
    return engineOn(b, settingsOf(spec));
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
  return {
    pool,
    backbone: main,
    engine,
    async loadEngine(spec) {
      await load(spec.backbone ?? main.manifest.id);
      return engine(spec);
    },
    hasBackbone: (sha256) => Object.keys(pool).some((id) => shaOf(id) === sha256),
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
