/**
 * The inspection engines the station starts with: the configured backbone, and any other backbone of the pool
 * that a product chose (its active reference set names it).
 */
import { enginePool, type EnginePool } from '../engines/pool.ts';
import type { Store } from '../store/index.ts';
import type { Log } from '../shared/domain.d.ts';

export async function loadEngines(modelManifest: string, store: Store, log: Log): Promise<EnginePool> {
  const engines = await enginePool(modelManifest);
  await engines.preload(store.referenceSets.activeModelSha256s());
  const m = engines.backbone.manifest;
  log.info(
    `backbone ${m.id} (sha256 ${m.sha256.slice(0, 12)}…), taps ${m.taps.map((t) => `${t.name}/${t.stride}`).join(', ')}`,
  );
  return engines;
}
