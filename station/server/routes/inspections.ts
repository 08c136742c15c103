// GET /api/inspections (filtered list), GET /api/inspections/:id (one, with its reviews).
import { Router } from 'express';
import { reviewStatuses, verdicts } from '../../store/repositories/inspections.ts';
import { access, LEAD_ROLES, sessionOf } from '../auth/index.ts';
import { badRequest, notFound } from '../http-error.ts';
import type { ServerStore } from '../types.ts';
import { optionalEnumList, optionalId, optionalInt, optionalTime, pathInt } from '../validate.ts';
import { inspectionView } from '../views.ts';

export const MAX_PAGE = 500;

const KNOWN = new Set(['product', 'maker', 'verdict', 'reviewStatus', 'since', 'until', 'limit', 'offset']);

export function inspectionRoutes(store: ServerStore): Router {
  const r = Router();

  r.get('/api/inspections', (req, res) => {
    const q = req.query as Record<string, unknown>;
    const unknown = Object.keys(q).filter((k) => !KNOWN.has(k));
    if (unknown.length) {
      throw badRequest(`unknown query parameter '${unknown[0]}'; allowed: ${[...KNOWN].join(', ')}`);
    }
    const since = optionalTime(q, 'since');
    const until = optionalTime(q, 'until');
    if (since !== undefined && until !== undefined && since >= until) {
      throw badRequest(`'since' must be before 'until'`);
    }
    // maker=none lists items inspected with no maker selected.
    const makerRaw = optionalId(q, 'maker');
    const filter = {
      productId: optionalId(q, 'product'),
      makerId: makerRaw === 'none' ? null : makerRaw,
      verdict: optionalEnumList(q, 'verdict', verdicts),
      reviewStatus: optionalEnumList(q, 'reviewStatus', reviewStatuses),
      since,
      until,
    };
    const limit = optionalInt(q, 'limit', 1, MAX_PAGE) ?? 50;
    const offset = optionalInt(q, 'offset', 0, 1e9) ?? 0;
    const rows = store.inspections.list({ ...filter, limit, offset });
    res.json({
      total: store.inspections.count(filter),
      limit,
      offset,
      items: rows.map((row) => inspectionView(store, row)),
    });
  });

  r.get('/api/inspections/:id', (req, res) => {
    const id = pathInt(req.params.id, 'inspection id');
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
