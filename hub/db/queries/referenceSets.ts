// Every product's reference-set versions on every bench, and which one each bench judges by now.
import type { Pool } from 'pg';
import type { HubReferenceSetVersion } from '../../server/contract.d.ts';

export async function referenceSetVersions(
  pool: Pool,
  f: { station?: string; product?: string },
): Promise<(HubReferenceSetVersion & { productId: string })[]> {
  const r = await pool.query(
    `SELECT station_id, id, product_id, version, image_count, review_at, fail_at, score_kind, backbone_id,
            model_sha256, format, created_at, is_active
     FROM reference_set_versions
     WHERE ($1::text IS NULL OR station_id = $1) AND ($2::text IS NULL OR product_id = $2)
     ORDER BY product_id, station_id, version DESC`,
    [f.station ?? null, f.product ?? null],
  );
  return r.rows.map((row) => ({
    productId: row.product_id,
    station: row.station_id,
    id: Number(row.id),
    version: row.version,
    imageCount: row.image_count,
    band: { reviewAt: row.review_at, failAt: row.fail_at },
    scoreKind: row.score_kind,
    backboneId: row.backbone_id,
    modelSha256: row.model_sha256,
    format: row.format,
    createdAt: Number(row.created_at),
    active: row.is_active,
  }));
}
