// Borderline items across the workshop: verdict 'review' that no lead has decided yet (review status 'pending').
import type { Pool } from 'pg';
import type { HubRefusedDecision, HubReviewRequest } from '../../server/contract.d.ts';

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
  /** The lead's newest decision sent from the hub for this item, and how far it got; null with none. */
  request: ReviewRequestRow | null;
}

/** The wire's shapes (hub/server/contract.d.ts): a decision sent to a bench, and one it refused. */
export type ReviewRequestRow = HubReviewRequest;
export type RefusedRequestRow = HubRefusedDecision;

const requestOf = (r: Record<string, unknown>): ReviewRequestRow => ({
  action: r.action as ReviewRequestRow['action'],
  note: r.note as string | null,
  userName: r.user_name as string,
  state: r.state as ReviewRequestRow['state'],
  sentAt: r.sent_at === null ? null : Number(r.sent_at),
  updatedAt: Number(r.updated_at),
  reason: r.reason as string | null,
});

const where = `i.verdict = 'review' AND i.review_status = 'pending'
  AND ($1::text IS NULL OR i.station_id = $1) AND ($2::text IS NULL OR i.product_id = $2)`;

export async function pendingReviews(
  pool: Pool,
  f: ReviewFilter,
): Promise<{ total: number; rows: PendingReviewRow[] }> {
  const params = [f.station ?? null, f.product ?? null];
  const [count, page] = await Promise.all([
    pool.query(`SELECT COUNT(*) AS n FROM inspections i WHERE ${where}`, params),
    pool.query(
      `SELECT i.station_id, i.id, i.inspected_at, i.product_id, i.maker_id, i.score, i.review_at, i.fail_at,
              i.reference_set_id, i.frame_thumb IS NOT NULL AS has_frame, i.heatmap_thumb IS NOT NULL AS has_heatmap,
              q.action, q.note, q.user_name, q.state, q.sent_at, q.updated_at, q.reason
       FROM inspections i
       LEFT JOIN review_requests q ON q.station_id = i.station_id AND q.inspection_id = i.id
       WHERE ${where}
       ORDER BY i.inspected_at DESC, i.station_id, i.id DESC LIMIT $3 OFFSET $4`,
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
      request: r.state === null ? null : requestOf(r),
    })),
  };
}

/**
 * Decisions the benches refused on items no longer waiting (decided at the bench meanwhile, say): they left the
 * pending list, so their reasons are listed apart, newest first.
 */
export async function refusedElsewhere(
  pool: Pool,
  station: string | undefined,
  limit = 20,
): Promise<RefusedRequestRow[]> {
  const r = await pool.query(
    `SELECT q.* FROM review_requests q
     LEFT JOIN inspections i ON i.station_id = q.station_id AND i.id = q.inspection_id
     WHERE q.state = 'refused' AND ($1::text IS NULL OR q.station_id = $1)
       AND NOT (i.verdict IS NOT DISTINCT FROM 'review' AND i.review_status IS NOT DISTINCT FROM 'pending')
     ORDER BY q.updated_at DESC LIMIT $2`,
    [station ?? null, limit],
  );
  return r.rows.map((row) => ({ station: row.station_id, inspectionId: Number(row.inspection_id), ...requestOf(row) }));
}

export type ThumbKind = 'frame' | 'heatmap';

/** One inspection's thumbnail (a small JPEG as the station sent it), null when it has none. */
export async function thumbnail(pool: Pool, station: string, id: number, kind: ThumbKind): Promise<Buffer | null> {
  const column = kind === 'frame' ? 'frame_thumb' : 'heatmap_thumb';
  const r = await pool.query(`SELECT ${column} AS b FROM inspections WHERE station_id = $1 AND id = $2`, [station, id]);
  return r.rows[0]?.b ?? null;
}
