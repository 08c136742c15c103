// The reference-set files the hub holds, which a lead can publish to other benches: per product, newest first.
import type { Pool } from 'pg';
import type { HeldReferenceSet } from '../../server/contract.d.ts';

export async function heldReferenceSets(pool: Pool): Promise<HeldReferenceSet[]> {
  // The file's length only: the bytes themselves go to benches, never to the page.
  const r = await pool.query(
    `SELECT sha256, product_id, source_station, source_version, review_at, fail_at, backbone_id, model_sha256,
            octet_length(bytes) AS size, received_at
     FROM reference_set_files ORDER BY product_id, received_at DESC, sha256`,
  );
  return r.rows.map((row) => ({
    sha256: row.sha256,
    productId: row.product_id,
    sourceStation: row.source_station,
    sourceVersion: row.source_version,
    band: { reviewAt: row.review_at, failAt: row.fail_at },
    backboneId: row.backbone_id,
    modelSha256: row.model_sha256,
    bytes: Number(row.size),
    receivedAt: Number(row.received_at),
  }));
}
