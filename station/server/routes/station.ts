// Bench control and the lists the live page needs: POST /api/trigger, POST /api/select,
// GET /api/state, GET /api/products, GET /api/makers, GET /api/frame.jpg.
import { Router } from 'express';
import type { Auth } from '../auth/index.ts';
import { badRequest, HttpError } from '../http-error.ts';
import type { ServerStore, StationControl } from '../types.ts';
import { parseRequest, selectBody } from '../requests.ts';
import { helloView, selectionView } from '../views.ts';

/** Errors from the station are meant for the person (see StationControl): answer 409 with them. */
async function control<T>(what: string, fn: () => Promise<T> | T): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw new HttpError(409, `${what}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export function stationRoutes(deps: { store: ServerStore; station: StationControl; auth: Auth }): Router {
  const { store, station, auth } = deps;
  const r = Router();

  // Everything the live page shows at load; later changes arrive over socket.io.
  r.get('/api/state', (_req, res) => {
    res.json(helloView(store, station));
  });

  r.get('/api/products', (_req, res) => {
    res.json(
      store.products.list().map((p) => {
        const active = store.referenceSets.active(p.id);
        return {
          id: p.id,
          name: p.name,
          activeVersion: active?.version ?? null,
          band: active ? { reviewAt: active.band.reviewAt, failAt: active.band.failAt } : null,
        };
      }),
    );
  });

  r.get('/api/makers', (_req, res) => {
    res.json(store.makers.list().map((m) => ({ id: m.id, name: m.name })));
  });

  r.get('/api/frame.jpg', async (_req, res) => {
    const jpeg = await station.latestFrameJpeg();
    if (!jpeg) throw new HttpError(503, 'no camera frame yet (camera lost or starting)');
    res.setHeader('Cache-Control', 'no-store');
    res.type('image/jpeg').send(jpeg);
  });

  r.post('/api/trigger', auth.requireRole(), async (_req, res) => {
    await control('manual trigger refused', () => station.manualTrigger());
    res.status(202).json({ ok: true });
  });

  r.post('/api/select', auth.requireRole(), async (req, res) => {
    const body = parseRequest(selectBody, req.body, 'body');
    const productId = body.productId ?? undefined;
    const { makerId } = body;
    if (productId !== undefined && !store.products.get(productId))
      throw badRequest(`product '${productId}' does not exist`);
    if (makerId && !store.makers.get(makerId)) throw badRequest(`maker '${makerId}' does not exist`);
    // The station announces the change itself (its selection's one onChange): announcing here too sent it twice.
    await control('cannot change the selection', () => station.select({ productId, makerId }));
    const state = station.currentState();
    res.json(selectionView(store, state.productId, state.makerId));
  });

  return r;
}
