/**
 * Engines for candidate configurations: each backbone of the pool is loaded once (lazily), and one engine is
 * made per configuration and kept until close().
 */
import { loadBackbone, type Backbone } from '../../../models/load.ts';
import { createEngine, type Engine } from '../../vision/engine.ts';
import type { EngineSettings } from '../../vision/settings.ts';
import { engineKey, type Candidate } from './candidates.ts';

export interface CandidateEngines {
  engineFor(c: Candidate): Promise<Engine>;
  /** The feature settings a candidate runs with (what its reference set stores). */
  settingsFor(c: Candidate): Partial<EngineSettings>;
  close(): Promise<void>;
}

/** `manifests`: backbone id → manifest path; `base`: settings every candidate shares (e.g. resize, roi). */
export function candidateEngines(manifests: Record<string, string>, nativeAspect: number, base: Partial<EngineSettings> = {}): CandidateEngines {
  const backbones = new Map<string, Promise<Backbone>>();
  const engines = new Map<string, Promise<Engine>>();
  const settingsFor = (c: Candidate): Partial<EngineSettings> => ({ ...base, size: c.size, aspect: c.aspect === 'native' ? nativeAspect : 1 });
  const backbone = (id: string) => {
    const file = manifests[id];
    if (!file) throw new Error(`backbone "${id}" is not in the pool (${Object.keys(manifests).join(', ')})`);
    let b = backbones.get(id);
    if (!b) backbones.set(id, (b = loadBackbone(file)));
    return b;
  };
  return {
    settingsFor,
    engineFor(c) {
      const key = engineKey(c);
      let e = engines.get(key);
      if (!e) engines.set(key, (e = backbone(c.backbone).then((b) => createEngine(b, settingsFor(c)))));
      return e;
    },
    async close() {
      for (const e of engines.values()) await (await e).release();
      for (const b of backbones.values()) await (await b).session.release();
      engines.clear();
      backbones.clear();
    },
  };
}
