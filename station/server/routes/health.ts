// GET /healthz (JSON) and GET /metrics (Prometheus text). Public, read-only.
import { Router } from 'express';
import type { StationMetrics } from '../metrics.ts';
import type { ServerStore, StationControl } from '../types.ts';

export function healthRoutes(deps: { store: ServerStore; station: StationControl; metrics: StationMetrics }): Router {
  const { store, station, metrics } = deps;
  const r = Router();
  const startedAt = Date.now();

  r.get('/healthz', (_req, res) => {
    let db: { ok: boolean; error?: string };
    try {
      store.inspections.count({});
      db = { ok: true };
    } catch (err) {
      db = { ok: false, error: err instanceof Error ? err.message : String(err) };
    }
    const state = station.currentState();
    // 503 only when the station cannot record; a lost camera is "degraded" but still serving.
    // A lost stack light or scanner degrades too: the bench still inspects, but without its signals.
    const devicesUp = Object.values(state.devices).every((d) => d === 'connected');
    const status = !db.ok ? 'down' : state.camera === 'up' && state.modelLoaded && devicesUp ? 'ok' : 'degraded';
    res.setHeader('Cache-Control', 'no-store');
    res.status(db.ok ? 200 : 503).json({
      status,
      camera: state.camera,
      bench: state.bench,
      modelLoaded: state.modelLoaded,
      devices: state.devices,
      network: state.network,
      db,
      uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
    });
  });

  r.get('/metrics', (_req, res) => {
    const state = station.currentState();
    res.setHeader('Content-Type', 'text/plain; version=0.0.4; charset=utf-8');
    res.send(
      metrics.render({ cameraUp: state.camera === 'up', modelLoaded: state.modelLoaded, network: state.network }),
    );
  });

  return r;
}
