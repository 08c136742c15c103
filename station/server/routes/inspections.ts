// GET /api/inspections (filtered list), GET /api/inspections/:id (one, with its reviews).
import { Router } from 'express';
import { access, LEAD_ROLES, sessionOf } from '../auth/index.ts';
import { notFound } from '../http-error.ts';
import { inspectionsQuery, parseRequest, pathNumber } from '../requests.ts';
import type { ServerStore } from '../types.ts';
import { inspectionView } from '../views.ts';

export function inspectionRoutes(store: ServerStore): Router {
  const r = Router();

  r.get('/api/inspections', (req, res) => {
    const { product, maker, limit, offset, ...rest } = parseRequest(inspectionsQuery, req.query, 'query');
    // maker=none lists items inspected with no maker selected.
    const filter = { ...rest, productId: product, makerId: maker === 'none' ? null : maker };
    const rows = store.inspections.list({ ...filter, limit, offset });
    res.json({
      total: store.inspections.count(filter),
      limit,
      offset,
      items: rows.map((row) => inspectionView(store, row)),
    });
  });

  r.get('/api/inspections/:id', (req, res) => {
    const id = parseRequest(pathNumber, req.params.id, 'inspection id');
    const row = store.inspections.get(id);
    if (!row) throw notFound(`inspection ${id} does not exist`);
    const referenceSet = row.referenceSetId !== null ? store.referenceSets.get(row.referenceSetId) : undefined;
    res.json({
      ...inspectionView(store, row),
      referenceSetVersion: referenceSet?.version ?? null,
      // Review notes and who wrote them are for leads; anyone else sees the item and its status only.
      ...(access(sessionOf(res), LEAD_ROLES) === 'ok' ? { reviews: store.reviews.forInspection(id) } : {}),
    });
  });

  return r;
}
