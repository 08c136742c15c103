// GET /api/makers: each maker's verdict shares and median score per bench, over the last days.
import { Router } from 'express';
import type { Pool } from 'pg';
import { makersByBench } from '../../db/queries/makers.ts';
import type { HubMakersResponse } from '../contract.d.ts';
import { makersQuery, parseRequest } from '../requests.ts';

const DAY = 86_400_000;

export function makerRoutes(pool: Pool): Router {
  const r = Router();
  r.get('/api/makers', async (req, res) => {
    const q = parseRequest(makersQuery, req.query, 'query');
    const since = Date.now() - q.days * DAY;
    const body: HubMakersResponse = { since, rows: await makersByBench(pool, { ...q, since }) };
    res.json(body);
  });
  return r;
}
