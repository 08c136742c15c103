/** The generated MobileNetV2 backbone for engine tests: made by the converter on a fresh clone if missing. */
import { afterAll, beforeAll } from 'vitest';
import { generatedManifestPath, loadBackbone, verifyModel, type Backbone } from '../../models/load.ts';
import { prepareModel, readSources } from '../../models/prepare.ts';

export const BACKBONE_ID = 'mobilenet_v2-features';

export async function testBackbone(): Promise<Backbone> {
  const manifestPath = generatedManifestPath(BACKBONE_ID);
  try {
    verifyModel(manifestPath);
  } catch {
    prepareModel(BACKBONE_ID, readSources()[BACKBONE_ID]);
  }
  return loadBackbone(manifestPath, { intraOpNumThreads: 1 });
}

/** The test backbone for the enclosing describe block: loaded before its tests, released after; read it inside them. */
export function useTestBackbone(): () => Backbone {
  let backbone: Backbone | undefined;
  beforeAll(async () => {
    backbone = await testBackbone();
  }, 120_000);
  afterAll(async () => {
    await backbone?.session.release();
  });
  return () => {
    if (!backbone) throw new Error('the test backbone is not loaded yet: read it inside a test');
    return backbone;
  };
}
