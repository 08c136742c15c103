/**
 * Bring a reference-set file calibrated on another bench into this station (from a file, or as the workshop network
 * delivered it), without recalibrating: a format-2 file
 * carries its product, tolerance band and score model under its checksum, so it is stored as the product's next
 * version as it is (same bytes), with its summary row. The durable order is calibration's: file, row, activation.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../store/atomicWrite.ts';
import type { ReferenceSetVersion, Store } from '../store/index.ts';
import { backbonesOf, decodeReferenceSet } from '../vision/referenceSet.ts';
import { registerProduct } from '../products/folders.ts';
import { refsetFile, refsetRelPath, storedBand } from './versions.ts';

export interface ImportOptions {
  store: Store;
  productId: string;
  /** The .refset file to bring in. */
  file: string;
  /** Where the product's product.json is found when the store does not know the product yet. */
  calibrationDir: string;
  /** Make the new version active (default true). */
  activate?: boolean;
  /** Does this station have the backbone the set was built with (by checksum)? Absent: not checked here. */
  hasBackbone?: (sha256: string) => boolean;
}

export interface ImportResult {
  version: number;
  activated: boolean;
  refsetFile: string;
  row: ReferenceSetVersion;
}

export async function importReferenceSet(o: ImportOptions): Promise<ImportResult> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(o.file);
  } catch (err) {
    throw new Error(`cannot read ${o.file} (${(err as NodeJS.ErrnoException).code})`);
  }
  return storeReferenceSetBytes({
    ...o,
    bytes,
    source: o.file,
    report: { importedFrom: path.resolve(o.file), importedAt: new Date().toISOString() },
  });
}

export interface StoreBytesOptions extends Omit<ImportOptions, 'file'> {
  bytes: Buffer;
  /** Names the set in messages: the file it came from, or where it was sent from. */
  source: string;
  /** Where it came from, kept in the version's report (the band's warnings are added). */
  report: Record<string, unknown>;
}

/** The same bytes, decoded and checked, stored as the product's next version: import's and the network's one path. */
export async function storeReferenceSetBytes(o: StoreBytesOptions): Promise<ImportResult> {
  const { store, productId, bytes, source: file } = o;
  // The checksum covers the band and score model too: a damaged or edited file stops here.
  const set = decodeReferenceSet(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), { source: file });
  const { judging } = set;
  if (!judging)
    throw new Error(
      `${file}: this reference set (format ${set.formatVersion}) carries no tolerance band, so it cannot judge on its own; ` +
        `calibrate the product on this station instead (npm run calibrate -- ${productId})`,
    );
  if (judging.productId !== productId)
    throw new Error(`${file}: this is a reference set of product '${judging.productId}', not '${productId}'`);
  const missing = backbonesOf(set).find((m) => o.hasBackbone && !o.hasBackbone(m.sha256));
  if (missing)
    throw new Error(
      `${file}: built with backbone ${missing.id} (sha256 ${missing.sha256.slice(0, 12)}…), which this station does not have; ` +
        `run \`npm run models\` or calibrate the product here`,
    );
  if (!store.products.get(productId)) {
    const config = path.join(o.calibrationDir, productId, 'product.json');
    if (!existsSync(config))
      throw new Error(`product '${productId}' is not on this station: add ${config} first, then import`);
    registerProduct(store, o.calibrationDir, productId);
  }
  const version = store.referenceSets.nextVersion(productId);
  const rel = refsetRelPath(productId, version);
  const dest = refsetFile(store.dataDir, rel);
  await writeFileAtomic(dest, bytes);
  const { band, scoreModel } = judging;
  store.referenceSets.addVersion({
    productId,
    version,
    filePath: rel,
    modelSha256: set.model.sha256,
    imageCount: set.images.names.length,
    format: set.formatVersion,
    scoreKind: scoreModel.kind,
    backboneId: set.model.id,
    band: storedBand(band),
    // A pair's second backbone is named where the store looks for the backbones to load (CalibrationReport.partner).
    report: {
      ...o.report,
      warnings: band.warnings,
      ...(set.partner ? { partner: { modelId: set.partner.model.id, modelSha256: set.partner.model.sha256 } } : {}),
    },
  });
  const activate = o.activate ?? true;
  if (activate) store.referenceSets.activate(productId, version);
  return { version, activated: activate, refsetFile: dest, row: store.referenceSets.getVersion(productId, version)! };
}
