/** The generated MobileNetV2 backbone for engine tests: made by the converter on a fresh clone if missing. */
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
