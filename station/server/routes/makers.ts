// GET /api/makers/stats — per maker and product over a period: verdict counts and rates,
// score histogram, scores over time (control chart) and the drift flag.
import { Router } from 'express';
import type { Auth } from '../auth/index.ts';
import { LEAD_ROLES } from '../auth/index.ts';
import { DRIFT_RULE } from '../../makers/drift.ts';
import { notFound } from '../http-error.ts';
import {
  DEFAULT_TARGETS,
  makerStats,
  type ProductBand,
  type ProductTargets,
  type ScoredRow,
} from '../../makers/stats.ts';
import type { ServerStore } from '../types.ts';
import { makerStatsQuery, parseRequest } from '../requests.ts';

/**
 * Standard deviation of good items' held-out scores, from the calibration report: its
 * goodScoreStd if present, else estimated from the report's good-score histogram (bin centres).
 */
export function goodSpreadOf(report: Record<string, unknown>): number | null {
  if (typeof report.goodScoreStd === 'number' && report.goodScoreStd > 0) return report.goodScoreStd;
  const hist = (report.histogram as { good?: { edges?: unknown; counts?: unknown } } | undefined)?.good;
  if (!hist || !Array.isArray(hist.edges) || !Array.isArray(hist.counts)) return null;
  const edges = hist.edges as number[];
  const counts = hist.counts as number[];
  if (edges.length !== counts.length + 1) return null;
  let n = 0,
    sum = 0,
    sq = 0;
  counts.forEach((c, i) => {
    const mid = (edges[i] + edges[i + 1]) / 2;
    n += c;
    sum += c * mid;
    sq += c * mid * mid;
  });
  if (n < 2) return null;
  const variance = (sq - (sum * sum) / n) / (n - 1);
  return variance > 0 && Number.isFinite(variance) ? Math.sqrt(variance) : null;
}

/** The period and filters of a stats request; an unknown product or maker is a 404, not an empty answer. */
function statsQuery(store: ServerStore, query: unknown) {
  const {
    since,
    until,
    product: productFilter,
    maker: makerFilter,
    recent: recentN,
  } = parseRequest(makerStatsQuery, query, 'query');
  if (productFilter && !store.products.get(productFilter)) throw notFound(`product '${productFilter}' does not exist`);
  if (makerFilter && !store.makers.get(makerFilter)) throw notFound(`maker '${makerFilter}' does not exist`);
  return { since, until, productFilter, makerFilter, recentN };
}

type StatsQuery = ReturnType<typeof statsQuery>;
type StoredProduct = NonNullable<ReturnType<ServerStore['products']['get']>>;

/** One product's makers under its active tolerance band, or null when no maker (of the filter) inspected it. */
function productMakers(store: ServerStore, product: StoredProduct, q: StatsQuery) {
  // All makers' points are needed even for one maker: drift compares against the others.
  const stats = store.inspections.makerStats({ productId: product.id, since: q.since, until: q.until });
  const active = store.referenceSets.active(product.id);
  const band: ProductBand | undefined = active
    ? { reviewAt: active.band.reviewAt, failAt: active.band.failAt, goodSpread: goodSpreadOf(active.report) }
    : undefined;
  const rows: ScoredRow[] = stats.points.map((p) => ({
    inspectedAt: p.inspectedAt,
    productId: product.id,
    makerId: p.makerId,
    score: p.score,
    verdict: p.verdict,
  }));
  const bandMap = new Map(band ? [[product.id, band]] : []);
  const targets = new Map([[product.id, targetsOf(product.settings)]]);
  let groups = makerStats(rows, bandMap, { recentN: q.recentN, targets });
  if (q.makerFilter) groups = groups.filter((g) => g.makerId === q.makerFilter);
  if (groups.length === 0) return null;
  return {
    productId: product.id,
    productName: product.name,
    band: band ?? null,
    referenceSetVersion: active?.version ?? null,
    makers: groups.map((g) => ({
      ...g,
      makerName: g.makerId ? (store.makers.get(g.makerId)?.name ?? g.makerId) : '(no maker)',
    })),
  };
}

export function makerRoutes(deps: { store: ServerStore; auth: Auth }): Router {
  const { store, auth } = deps;
  const r = Router();

  r.get('/api/makers/stats', auth.requireRole(LEAD_ROLES), (req, res) => {
    const q = statsQuery(store, req.query);
    const products = q.productFilter ? [store.products.get(q.productFilter)!] : store.products.list();
    const out = [];
    for (const product of products) {
      const entry = productMakers(store, product, q);
      if (entry) out.push(entry);
    }
    const { since, until, recentN } = q;
    res.json({ since, until, recentN, driftRule: DRIFT_RULE.replace('N = 20', `N = ${recentN}`), products: out });
  });

  return r;
}

/** The product's target rates from its stored settings (product.json tolerance), else the defaults. */
function targetsOf(settings: Record<string, unknown>): ProductTargets {
  const t = settings.tolerance as { reviewRate?: unknown; failRate?: unknown } | undefined;
  const rate = (v: unknown, d: number) => (typeof v === 'number' && v > 0 && v < 1 ? v : d);
  return { review: rate(t?.reviewRate, DEFAULT_TARGETS.review), fail: rate(t?.failRate, DEFAULT_TARGETS.fail) };
}
