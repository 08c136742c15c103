// POST /api/inspections/:id/review — a lead's decision on a review/fail item. The decision itself (and accept_good's
// copy into calibration) is runtime/review.ts, which the hub's review_decision command goes through too.
import { Router } from 'express';
import { decideReview, ReviewRefused } from '../../runtime/review.ts';
import { userOf, type Auth, LEAD_ROLES } from '../auth/index.ts';
import { HttpError, notFound } from '../http-error.ts';
import type { Log } from '../../shared/domain.d.ts';
import type { ServerStore } from '../types.ts';
import { parseRequest, pathNumber, reviewBody } from '../requests.ts';
import { inspectionView } from '../views.ts';

export function reviewRoutes(deps: {
  store: ServerStore;
  dataDir: string;
  calibrationDir: string;
  auth: Auth;
  log: Pick<Log, 'info' | 'warn'>;
}): Router {
  const { store, auth } = deps;
  const r = Router();

  r.post('/api/inspections/:id/review', auth.requireRole(LEAD_ROLES), async (req, res) => {
    const id = parseRequest(pathNumber, req.params.id, 'inspection id');
    const { action, note, seenStatus } = parseRequest(reviewBody, req.body, 'body');
    let result: Awaited<ReturnType<typeof decideReview>>;
    try {
      result = await decideReview(deps, { inspectionId: id, action, note, userName: userOf(res).name, seenStatus });
    } catch (err) {
      if (err instanceof ReviewRefused)
        throw err.why === 'unknown' ? notFound(err.message) : new HttpError(409, err.message);
      throw err;
    }
    res.json({
      review: result.review,
      inspection: inspectionView(store, result.inspection),
      calibrationImage: result.calibrationImage,
      withdrawn: result.withdrawn.map((w) => w.filePath),
    });
  });

  return r;
}
