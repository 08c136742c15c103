// Each bench's most recent judged scores of each product (the last `window` items, by the station's own inspection
// order, never by clocks), and the band its newest item was judged by.
import type { Pool } from 'pg';
import type { Band } from '../../server/contract.d.ts';

export interface BenchScores {
  productId: string;
  station: string;
  scores: number[];
  band: Band | null;
}

export async function recentScoresByBench(pool: Pool, f: { product?: string; window: number }): Promise<BenchScores[]> {
  const r = await pool.query(
    `WITH recent AS (
       SELECT product_id, station_id, id, score, review_at, fail_at,
              ROW_NUMBER() OVER (PARTITION BY product_id, station_id ORDER BY id DESC) AS k
       FROM inspections
       WHERE verdict <> 'unjudged' AND score IS NOT NULL AND ($1::text IS NULL OR product_id = $1))
     SELECT product_id, station_id, array_agg(score ORDER BY id) AS scores,
            (array_agg(review_at ORDER BY id DESC))[1] AS review_at,
            (array_agg(fail_at ORDER BY id DESC))[1] AS fail_at
     FROM recent WHERE k <= $2
     GROUP BY product_id, station_id
     ORDER BY product_id, station_id`,
    [f.product ?? null, f.window],
  );
  return r.rows.map((row) => ({
    productId: row.product_id,
    station: row.station_id,
    scores: (row.scores as (number | string)[]).map(Number),
    band: row.review_at === null || row.fail_at === null ? null : { reviewAt: row.review_at, failAt: row.fail_at },
  }));
}
