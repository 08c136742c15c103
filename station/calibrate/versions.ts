/**
 * Versioned reference sets on disk and in the store. The file is written atomically first
 * (store/atomicWrite.ts); the store row is added after; activation comes last, so an interrupted
 * calibration never touches the active version.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Store } from '../store/index.ts';
import type { ReferenceSet } from '../store/index.ts';

/** Path of a version's file relative to the data folder (what the store row holds). */
export function refsetRelPath(productId: string, version: number): string {
  return path.join('reference-sets', productId, `v${version}.refset`);
}

/** Absolute path of a stored reference-set file (rows hold paths relative to the data folder). */
export function refsetFile(dataDir: string, filePath: string): string {
  return path.resolve(dataDir, filePath);
}

/** Make version N the active one (rollback = activating an older version). Checks its file first. */
export function activateVersion(
  store: Store,
  productId: string,
  version: number,
  verify?: (bytes: Uint8Array, file: string) => void,
): ReferenceSet {
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
      const t = r.thresholds;
      return (
        `${r.isActive ? '*' : ' '} v${r.version}  ${new Date(r.createdAt).toISOString()}  ${r.imageCount} good images  ` +
        `review > ${(+t.review).toPrecision(4)}  fail > ${(+t.fail).toPrecision(4)}  ${r.filePath}`
      );
    })
    .join('\n');
}
