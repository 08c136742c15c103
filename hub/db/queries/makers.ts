// Makers compared across benches: per product, maker and station, the verdict counts and the median score.
import type { Pool } from 'pg';
import type { MakerBenchRow } from '../../server/contract.d.ts';

export interface MakersFilter {
  station?: string;
  product?: string;
  since: number;
}

export async function makersByBench(pool: Pool, f: MakersFilter): Promise<MakerBenchRow[]> {
  const r = await pool.query(
    `SELECT product_id, maker_id, station_id, COUNT(*) AS n,
            COUNT(*) FILTER (WHERE verdict = 'pass') AS pass,
            COUNT(*) FILTER (WHERE verdict = 'review') AS review,
            COUNT(*) FILTER (WHERE verdict = 'fail') AS fail,
            COUNT(*) FILTER (WHERE verdict = 'unjudged') AS unjudged,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY score) FILTER (WHERE verdict <> 'unjudged') AS median
     FROM inspections
     WHERE inspected_at >= $1 AND ($2::text IS NULL OR station_id = $2) AND ($3::text IS NULL OR product_id = $3)
     GROUP BY product_id, maker_id, station_id
     ORDER BY product_id, maker_id NULLS LAST, station_id`,
    [f.since, f.station ?? null, f.product ?? null],
  );
  return r.rows.map((row) => {
    const counts = {
      pass: Number(row.pass),
      review: Number(row.review),
      fail: Number(row.fail),
      unjudged: Number(row.unjudged),
    };
    const judged = counts.pass + counts.review + counts.fail;
    return {
      productId: row.product_id,
      makerId: row.maker_id,
      station: row.station_id,
      count: Number(row.n),
      counts,
      rates: judged ? { pass: counts.pass / judged, review: counts.review / judged, fail: counts.fail / judged } : null,
      medianScore: row.median === null ? null : Number(row.median),
    };
  });
}
