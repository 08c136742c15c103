/**
 * What inspecting one product needs, loaded once per activation: the active reference-set
 * version's row, its decoded file, how it judges (tolerance band and score model: from the file when it carries
 * them, format 2, else from the row) and how it inspects: with the engine it was built for (its backbone and settings:
 * a reference set carries the configuration its product chose), or both engines of a pair.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadProductConfig } from '../products/productConfig.ts';
import { refsetFile, versionBand } from '../referenceSets/versions.ts';
import type { ReferenceSetVersion, Store } from '../store/index.ts';
import type { JudgingBand } from '../verdict/scoreModel.ts';
import type { SetInspector } from '../engines/setInspection.ts';
import { decodeReferenceSet, type ReferenceSet } from '../vision/referenceSet.ts';

export interface ActiveProduct {
  productId: string;
  row: ReferenceSetVersion;
  referenceSet: ReferenceSet;
  band: JudgingBand;
  inspect: SetInspector;
}

export type InspectorFor = (set: ReferenceSet) => SetInspector;

/** Throws a message for the person when the product cannot be inspected yet. */
export function loadActiveProduct(
  store: Store,
  calibrationDir: string,
  productId: string,
  inspectorFor: InspectorFor,
): ActiveProduct {
  const config = path.join(calibrationDir, productId, 'product.json');
  if (!existsSync(config))
    throw new Error(
      `product '${productId}' has no calibration folder: add ${config} and good/ images, then calibrate it`,
    );
  const row = store.referenceSets.active(productId);
  if (!row)
    throw new Error(
      `product '${productId}' has no active reference set: run \`npm run calibrate -- ${productId}\` or calibrate it from the dashboard`,
    );
  loadProductConfig(config, productId); // a broken product.json is named here
  const file = refsetFile(store.dataDir, row.filePath);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new Error(
      `reference set ${productId} v${row.version}: cannot read ${file} (${(err as NodeJS.ErrnoException).code}); calibrate again or activate another version`,
    );
  }
  const referenceSet = decodeReferenceSet(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), {
    source: file,
  });
  const band = versionBand(row, referenceSet.judging, `reference set ${productId} v${row.version} (${file})`);
  return { productId, row, referenceSet, band, inspect: inspectorFor(referenceSet) };
}
