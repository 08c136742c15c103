/**
 * Versioned reference sets on disk and in the store. The file is written atomically first
 * (store/atomicWrite.ts); the store row is added after; activation comes last, so an interrupted
 * calibration never touches the active version.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ReferenceSetVersion, Store, StoredBand } from '../store/index.ts';
import type { ToleranceBand } from '../verdict/bands.ts';
import type { JudgingBand } from '../verdict/scoreModel.ts';
import { scoreModelFromJson, type ReferenceSetJudging } from '../vision/referenceSet.ts';

/** Path of a version's file relative to the data folder (what the store row holds). */
export function refsetRelPath(productId: string, version: number): string {
  return path.join('reference-sets', productId, `v${version}.refset`);
}

/** Absolute path of a stored reference-set file (rows hold paths relative to the data folder). */
export function refsetFile(dataDir: string, filePath: string): string {
  return path.resolve(dataDir, filePath);
}

/** What a version's row keeps of a calibrated band (calibration and import store the same summary). */
export function storedBand(band: ToleranceBand): StoredBand {
  return {
    reviewAt: band.reviewAt,
    failAt: band.failAt,
    reviewAtInterval: band.intervals.reviewAt,
    failAtInterval: band.intervals.failAt,
  };
}

/**
 * How a version judges. A file that carries its judging (format 2) is the truth; the row only summarises it. A
 * format-1 file has none, and the row's band and score model (checked here) are used. A format-2 row whose file lacks
 * its band, or a file of another product, is refused rather than judged by a guess.
 */
export function versionBand(
  row: ReferenceSetVersion,
  judging: ReferenceSetJudging | undefined,
  where: string,
): JudgingBand {
  if (judging) {
    if (judging.productId !== row.productId)
      throw new Error(
        `${where}: the file is a reference set of product '${judging.productId}', not '${row.productId}'; activate another version`,
      );
    return { reviewAt: judging.band.reviewAt, failAt: judging.band.failAt, scoreModel: judging.scoreModel };
  }
  if (row.format >= 2)
    throw new Error(
      `${where}: the file carries no tolerance band, although it was stored as format ${row.format}; calibrate again or activate another version`,
    );
  const { reviewAt, failAt, scoreModel } = row.band;
  return {
    reviewAt,
    failAt,
    ...(scoreModel !== undefined ? { scoreModel: scoreModelFromJson(scoreModel, `${where} → scoreModel`) } : {}),
  };
}

/** Make version N the active one (rollback = activating an older version). Checks its file first. */
export function activateVersion(
  store: Store,
  productId: string,
  version: number,
  verify?: (bytes: Uint8Array, file: string) => void,
): ReferenceSetVersion {
  const row = store.referenceSets.getVersion(productId, version);
  if (!row) {
    const have = store.referenceSets.list(productId).map((r) => `v${r.version}`);
    throw new Error(
      `product '${productId}' has no reference set v${version}${have.length ? ` (versions: ${have.join(', ')})` : ' (no versions yet: run calibrate first)'}`,
    );
  }
  const file = refsetFile(store.dataDir, row.filePath);
  if (!existsSync(file))
    throw new Error(
      `reference set ${productId} v${version}: its file ${file} is missing; calibrate again or activate another version`,
    );
  if (verify) verify(readFileSync(file), file);
  return store.referenceSets.activate(productId, version);
}

export function describeVersions(store: Store, productId: string): string {
  const rows = store.referenceSets.list(productId);
  if (rows.length === 0) return `${productId}: no reference sets yet`;
  return rows
    .map((r) => {
      const b = r.band;
      return (
        `${r.isActive ? '*' : ' '} v${r.version}  ${new Date(r.createdAt).toISOString()}  ${r.imageCount} good images  ` +
        `review > ${b.reviewAt.toPrecision(4)}  fail > ${b.failAt.toPrecision(4)}  ${r.scoreKind} score  format ${r.format}  ${r.filePath}`
      );
    })
    .join('\n');
}
