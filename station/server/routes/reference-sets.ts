// Reference sets of a product: GET versions, POST calibrate (progress over socket.io),
// POST activate {version} (activation and roll back alike).
import { Router } from 'express';
import type { Announcer } from '../announce.ts';
import { LEAD_ROLES, userOf, type Auth } from '../auth/index.ts';
import { HttpError, notFound } from '../http-error.ts';
import type { Log } from '../../shared/domain.d.ts';
import type { ServerStore, StationControl } from '../types.ts';
import { activateBody, parseRequest, pathId } from '../requests.ts';

/** Strings found under the usual warning keys of a calibration report. */
export function reportWarnings(report: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const key of ['warnings', 'coverageWarnings', 'coverage']) {
    const v = report[key];
    if (Array.isArray(v)) {
      for (const w of v) if (typeof w === 'string') out.push(w);
    } else if (typeof v === 'string') out.push(v);
  }
  return [...new Set(out)];
}

/** Good images a reference set learned that a later review confirmed defective (by content hash), with why. */
export function learnedWithdrawn(
  report: Record<string, unknown>,
  withdrawn: Map<string, string>,
): { name: string; reason: string }[] {
  const images = report.images as { goodNames?: unknown; goodSha256?: unknown } | undefined;
  const names = Array.isArray(images?.goodNames) ? images.goodNames : [];
  const shas = Array.isArray(images?.goodSha256) ? images.goodSha256 : [];
  const out: { name: string; reason: string }[] = [];
  shas.forEach((sha, i) => {
    const reason = typeof sha === 'string' ? withdrawn.get(sha) : undefined;
    if (reason) out.push({ name: String(names[i] ?? sha), reason });
  });
  return out;
}

export function referenceSetRoutes(deps: {
  store: ServerStore;
  station: StationControl;
  auth: Auth;
  announce: Announcer;
  log: Pick<Log, 'info' | 'warn'>;
}): Router {
  const { store, station, auth, announce, log } = deps;
  const r = Router();
  /** Products being calibrated now: one run per product at a time. */
  const running = new Map<string, { startedBy: string; startedAt: number }>();

  const productOr404 = (raw: unknown) => {
    const id = parseRequest(pathId, raw, 'product');
    const product = store.products.get(id);
    if (!product) throw notFound(`product '${id}' does not exist`);
    return product;
  };

  r.get('/api/reference-sets/:product', auth.requireRole(LEAD_ROLES), (req, res) => {
    const product = productOr404(req.params.product);
    const images = store.calibrationImages.list(product.id);
    const withdrawn = store.calibrationImages.withdrawn(product.id);
    const versions = store.referenceSets.list(product.id).map((s) => ({
      confirmedDefective: learnedWithdrawn(s.report, withdrawn),
      id: s.id,
      version: s.version,
      isActive: s.isActive,
      imageCount: s.imageCount,
      band: s.band,
      createdAt: s.createdAt,
      warnings: reportWarnings(s.report),
      report: s.report,
    }));
    res.json({
      productId: product.id,
      productName: product.name,
      activeVersion: versions.find((v) => v.isActive)?.version ?? null,
      versions: versions.reverse(),
      acceptedFromReview: images.filter((i) => i.source === 'review' && i.withdrawnAt === null).length,
      calibration: running.get(product.id) ?? null,
    });
  });

  r.post('/api/reference-sets/:product/calibrate', auth.requireRole(LEAD_ROLES), (req, res) => {
    const product = productOr404(req.params.product);
    const user = userOf(res);
    if (running.has(product.id)) throw new HttpError(409, `a calibration of '${product.id}' is already running`);
    running.set(product.id, { startedBy: user.name, startedAt: Date.now() });
    log.info(`calibration of ${product.id} started by ${user.name}`);
    announce.calibration({ productId: product.id, status: 'progress', phase: 'starting', done: 0, total: 0 });
    // Runs on after the response; progress and the outcome go out over socket.io.
    Promise.resolve()
      .then(() =>
        station.startCalibration(product.id, (p) =>
          announce.calibration({ productId: product.id, status: 'progress', ...p }),
        ),
      )
      .then(
        (outcome) => {
          log.info(`calibration of ${product.id} stored version ${outcome.version}`);
          announce.calibration({ productId: product.id, status: 'done', ...outcome });
        },
        (err: unknown) => {
          const message = err instanceof Error ? err.message : String(err);
          log.warn(`calibration of ${product.id} failed: ${message}`);
          announce.calibration({ productId: product.id, status: 'failed', error: message });
        },
      )
      .finally(() => running.delete(product.id));
    res.status(202).json({ productId: product.id, started: true });
  });

  r.post('/api/reference-sets/:product/activate', auth.requireRole(LEAD_ROLES), async (req, res) => {
    const product = productOr404(req.params.product);
    const { version } = parseRequest(activateBody, req.body, 'body');
    if (!store.referenceSets.getVersion(product.id, version)) {
      throw notFound(`reference set ${product.id} v${version} does not exist`);
    }
    try {
      await station.activateReferenceSet(product.id, version);
    } catch (err) {
      throw new HttpError(
        409,
        `cannot activate ${product.id} v${version}: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    log.info(`reference set ${product.id} v${version} activated by ${userOf(res).name}`);
    announce.referenceSet(product.id, version);
    res.json({ productId: product.id, activeVersion: store.referenceSets.active(product.id)?.version ?? version });
  });

  return r;
}
