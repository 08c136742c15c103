// GET /api/reference-sets: each product's versions on every bench, and which one each bench judges by now.
// (Publishing and activating from the hub are routes of their own, not this file's.)
import { Router } from 'express';
import type { Pool } from 'pg';
import { referenceSetVersions } from '../../db/queries/referenceSets.ts';
import type { HubReferenceSetsResponse } from '../contract.d.ts';
import { parseRequest, referenceSetsQuery } from '../requests.ts';

export function referenceSetRoutes(pool: Pool): Router {
  const r = Router();
  r.get('/api/reference-sets', async (req, res) => {
    const q = parseRequest(referenceSetsQuery, req.query, 'query');
    const rows = await referenceSetVersions(pool, q);
    const products = [...new Set(rows.map((row) => row.productId))].map((productId) => {
      const versions = rows.filter((row) => row.productId === productId).map(({ productId: _, ...v }) => v);
      const stations = [...new Set(versions.map((v) => v.station))];
      return {
        productId,
        activeByStation: stations.map((station) => ({
          station,
          version: versions.find((v) => v.station === station && v.active)?.version ?? null,
        })),
        versions,
      };
    });
    const body: HubReferenceSetsResponse = { products };
    res.json(body);
  });
  return r;
}
