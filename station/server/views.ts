// Turning store rows into what the dashboard sees: names resolved, evidence paths made URLs.
import type { Inspection } from '../store/repositories/inspections.ts';
import type { Hello, InspectionView, Selection, ServerStore, StationControl, Today } from './types.ts';

const encodePath = (rel: string) => rel.split('/').map(encodeURIComponent).join('/');

export const evidenceUrl = (rel: string | null) => (rel ? `/evidence/${encodePath(rel)}` : null);
export const referenceUrl = (productId: string, fileName: string) =>
  `/references/${encodeURIComponent(productId)}/${encodePath(fileName)}`;

export function inspectionView(store: ServerStore, row: Inspection): InspectionView {
  const product = store.products.get(row.productId);
  const maker = row.makerId ? store.makers.get(row.makerId) : undefined;
  return {
    id: row.id,
    inspectedAt: row.inspectedAt,
    productId: row.productId,
    productName: product?.name ?? row.productId,
    makerId: row.makerId,
    makerName: maker?.name ?? row.makerId,
    verdict: row.verdict,
    score: row.score,
    band: row.band,
    referenceSetId: row.referenceSetId,
    frameUrl: evidenceUrl(row.framePath),
    heatmapUrl: evidenceUrl(row.heatmapPath),
    nearest: (Array.isArray(row.nearest) ? row.nearest : []).map((n) => ({
      fileName: String(n.fileName),
      distance: Number(n.distance),
      url: referenceUrl(row.productId, String(n.fileName)),
    })),
    reviewStatus: row.reviewStatus,
    timings: row.timings,
    evidencePruned: row.evidencePrunedAt !== null,
    error: row.error,
  };
}

export function selectionView(store: ServerStore, productId: string | null, makerId: string | null): Selection {
  return {
    productId,
    productName: productId ? (store.products.get(productId)?.name ?? productId) : null,
    makerId,
    makerName: makerId ? (store.makers.get(makerId)?.name ?? makerId) : null,
  };
}

/** Start of the station's local day, for "today's count". */
export function startOfLocalDay(now: number): number {
  const d = new Date(now);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

/** Today's verdict counts for one maker (all products), or for items with no maker. */
export function todayCounts(store: ServerStore, makerId: string | null, now = Date.now()): Today {
  const counts = store.inspections.countsByVerdict({ makerId, since: startOfLocalDay(now) });
  return { makerId, counts, total: counts.pass + counts.review + counts.fail + counts.unjudged };
}

/** The whole picture a dashboard starts from (socket `hello` and GET /api/state alike). */
export function helloView(store: ServerStore, station: Pick<StationControl, 'currentState'>): Hello {
  const state = station.currentState();
  const last = store.inspections.list({ limit: 1 })[0];
  return {
    ...state,
    selection: selectionView(store, state.productId, state.makerId),
    lastInspection: last ? inspectionView(store, last) : null,
    today: todayCounts(store, state.makerId),
  };
}
