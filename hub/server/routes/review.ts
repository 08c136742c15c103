// GET /api/review: the borderline items waiting across the workshop, their thumbnails, and how far each decision a
// lead sent from the hub got (review-decisions.ts sends them: the station holding the item's evidence decides).
import { Router } from 'express';
import type { Pool } from 'pg';
import { notFound } from '../../../web/http-error.ts';
import { pendingReviews, refusedElsewhere, thumbnail } from '../../db/queries/review.ts';
import type { HubReviewResponse } from '../contract.d.ts';
import { parseRequest, reviewQuery, thumbnailParams } from '../requests.ts';

const thumbUrl = (station: string, id: number, kind: string) =>
  `/api/inspections/${encodeURIComponent(station)}/${id}/${kind}`;

export function reviewRoutes(pool: Pool): Router {
  const r = Router();
  r.get('/api/review', async (req, res) => {
    const q = parseRequest(reviewQuery, req.query, 'query');
    const [{ total, rows }, refused] = await Promise.all([pendingReviews(pool, q), refusedElsewhere(pool, q.station)]);
    const body: HubReviewResponse = {
      total,
      items: rows.map((row) => ({
        station: row.station,
        id: row.id,
        inspectedAt: row.inspectedAt,
        productId: row.productId,
        makerId: row.makerId,
        score: row.score,
        band: row.reviewAt === null || row.failAt === null ? null : { reviewAt: row.reviewAt, failAt: row.failAt },
        referenceSetId: row.referenceSetId,
        frameUrl: row.hasFrame ? thumbUrl(row.station, row.id, 'frame') : null,
        heatmapUrl: row.hasHeatmap ? thumbUrl(row.station, row.id, 'heatmap') : null,
        request: row.request,
      })),
      refused,
    };
    res.json(body);
  });
  r.get('/api/inspections/:station/:id/:kind', async (req, res) => {
    const p = parseRequest(thumbnailParams, req.params, 'path');
    const jpeg = await thumbnail(pool, p.station, p.id, p.kind);
    if (!jpeg) throw notFound(`inspection ${p.id} of ${p.station} has no ${p.kind} thumbnail here`);
    // Private: a lead's thumbnails are not for shared caches.
    res.type('image/jpeg').setHeader('Cache-Control', 'private, max-age=3600');
    res.send(jpeg);
  });
  return r;
}
