// Borderline items across the workshop: verdict 'review' that no lead has decided yet (review status 'pending').
import type { Pool } from 'pg';

export interface ReviewFilter {
  station?: string;
  product?: string;
  limit: number;
  offset: number;
}

export interface PendingReviewRow {
  station: string;
  id: number;
  inspectedAt: number;
  productId: string;
  makerId: string | null;
  score: number | null;
  reviewAt: number | null;
  failAt: number | null;
  referenceSetId: number | null;
  hasFrame: boolean;
  hasHeatmap: boolean;
}

const where = `verdict = 'review' AND review_status = 'pending'
  AND ($1::text IS NULL OR station_id = $1) AND ($2::text IS NULL OR product_id = $2)`;

export async function pendingReviews(
  pool: Pool,
  f: ReviewFilter,
): Promise<{ total: number; rows: PendingReviewRow[] }> {
  const params = [f.station ?? null, f.product ?? null];
  const [count, page] = await Promise.all([
    pool.query(`SELECT COUNT(*) AS n FROM inspections WHERE ${where}`, params),
    pool.query(
      `SELECT station_id, id, inspected_at, product_id, maker_id, score, review_at, fail_at, reference_set_id,
              frame_thumb IS NOT NULL AS has_frame, heatmap_thumb IS NOT NULL AS has_heatmap
       FROM inspections WHERE ${where}
       ORDER BY inspected_at DESC, station_id, id DESC LIMIT $3 OFFSET $4`,
      [...params, f.limit, f.offset],
    ),
  ]);
  return {
    total: Number(count.rows[0].n),
    rows: page.rows.map((r) => ({
      station: r.station_id,
      id: Number(r.id),
      inspectedAt: Number(r.inspected_at),
      productId: r.product_id,
      makerId: r.maker_id,
      score: r.score,
      reviewAt: r.review_at,
      failAt: r.fail_at,
      referenceSetId: r.reference_set_id === null ? null : Number(r.reference_set_id),
      hasFrame: r.has_frame,
      hasHeatmap: r.has_heatmap,
    })),
  };
}

export type ThumbKind = 'frame' | 'heatmap';

/** One inspection's thumbnail (a small JPEG as the station sent it), null when it has none. */
export async function thumbnail(pool: Pool, station: string, id: number, kind: ThumbKind): Promise<Buffer | null> {
  const column = kind === 'frame' ? 'frame_thumb' : 'heatmap_thumb';
  const r = await pool.query(`SELECT ${column} AS b FROM inspections WHERE station_id = $1 AND id = $2`, [station, id]);
  return r.rows[0]?.b ?? null;
}
