/**
 * A reference set another bench calibrated, delivered by the workshop network: checked before anything is written
 * (the bytes against the sha256 the hub announced, then the file's own checksum and format, its product, and the
 * backbone it needs), and kept as the product's next version, inactive, through the same path as an import, so the
 * outbox reports the version as it reports any other. A lead activates it after the bench check.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ReferenceSetVersion, Store } from '../store/index.ts';
import { storeReferenceSetBytes } from './importSet.ts';
import { refsetFile } from './versions.ts';

export interface Delivery {
  productId: string;
  /** What the hub says the file's sha256 is: the name every bench knows the set by. */
  sha256: string;
  bytes: Buffer;
}

export interface ReceiveOptions {
  store: Store;
  calibrationDir: string;
  hasBackbone: (sha256: string) => boolean;
}

export type Received = { row: ReferenceSetVersion; alreadyHeld: boolean };

const sha256Of = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** The product's local version whose file has this sha256 (files are few and small enough to hash on demand). */
export function versionWithSha256(store: Store, productId: string, sha256: string): ReferenceSetVersion | undefined {
  return store.referenceSets.list(productId).find((row) => {
    try {
      return sha256Of(readFileSync(refsetFile(store.dataDir, row.filePath))) === sha256;
    } catch {
      return false; // a version whose file is gone holds nothing to match
    }
  });
}

/** Throws, storing nothing, with the reason a lead reads; a set this bench already holds is not stored twice. */
export async function receiveReferenceSet(o: ReceiveOptions, d: Delivery): Promise<Received> {
  const source = `reference set ${d.sha256.slice(0, 12)}… for product '${d.productId}' from the workshop hub`;
  const actual = sha256Of(d.bytes);
  if (actual !== d.sha256)
    throw new Error(
      `${source}: the file's sha256 is ${actual.slice(0, 12)}…, not the announced one: it was damaged or altered on ` +
        'the way; refused, publish it again from the hub',
    );
  const held = o.store.products.get(d.productId) && versionWithSha256(o.store, d.productId, d.sha256);
  if (held) return { row: held, alreadyHeld: true };
  const r = await storeReferenceSetBytes({
    store: o.store,
    productId: d.productId,
    bytes: d.bytes,
    source,
    calibrationDir: o.calibrationDir,
    hasBackbone: o.hasBackbone,
    activate: false,
    report: { receivedFrom: 'workshop hub', sha256: d.sha256, receivedAt: new Date().toISOString() },
  });
  return { row: r.row, alreadyHeld: false };
}
