// GET /api/stations: every bench's status (online, newest event, gaps, lag, selection).
import { Router } from 'express';
import type { Pool } from 'pg';
import { stationStatuses } from '../../db/queries/stations.ts';

export function stationRoutes(pool: Pool): Router {
  const r = Router();
  r.get('/api/stations', async (_req, res) => {
    res.json(await stationStatuses(pool));
  });
  return r;
}
