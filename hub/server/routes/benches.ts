// GET /api/benches: the same product's recent scores on every bench, with the bench-drift flag.
import { Router } from 'express';
import type { Pool } from 'pg';
import { benchDriftRule, compareBenches, MIN_SCORES } from '../../benchDrift.ts';
import { recentScoresByBench } from '../../db/queries/benches.ts';
import type { HubBenchesResponse } from '../contract.d.ts';
import { benchesQuery, parseRequest } from '../requests.ts';

export function benchRoutes(pool: Pool): Router {
  const r = Router();
  r.get('/api/benches', async (req, res) => {
    const q = parseRequest(benchesQuery, req.query, 'query');
    const rows = await recentScoresByBench(pool, q);
    const products = [...new Set(rows.map((row) => row.productId))].map((productId) => ({
      productId,
      ...compareBenches(rows.filter((row) => row.productId === productId)),
    }));
    const body: HubBenchesResponse = {
      window: q.window,
      minScores: MIN_SCORES,
      rule: benchDriftRule(q.window),
      products,
    };
    res.json(body);
  });
  return r;
}
