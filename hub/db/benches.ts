/**
 * Which reference set every bench runs, for the workshop's Reference sets page: per station and product, the active
 * version (by its local number and, across benches, its sha256), and every set the hub published there with how far
 * it got and its bench check.
 */
import type { Pool } from 'pg';
import type { BenchReferenceSets } from '../server/contract.d.ts';

/** One bench's sets of one product, as the wire contract sends it. */
export type BenchProduct = BenchReferenceSets;

export async function benchReferenceSets(pool: Pool): Promise<BenchProduct[]> {
  const [stations, active, deliveries] = await Promise.all([
    pool.query('SELECT id, online FROM stations'),
    pool.query(
      'SELECT station_id, product_id, version, sha256 FROM reference_set_versions WHERE is_active ORDER BY station_id',
    ),
    pool.query('SELECT * FROM reference_set_deliveries ORDER BY sent_at'),
  ]);
  const online = new Map<string, boolean>(stations.rows.map((s) => [s.id, s.online]));
  const out = new Map<string, BenchProduct>();
  const entry = (stationId: string, productId: string): BenchProduct => {
    const key = `${stationId}\u0000${productId}`;
    let e = out.get(key);
    if (!e) {
      e = { stationId, online: online.get(stationId) ?? false, productId, active: null, deliveries: [] };
      out.set(key, e);
    }
    return e;
  };
  for (const r of active.rows) entry(r.station_id, r.product_id).active = { version: r.version, sha256: r.sha256 };
  for (const r of deliveries.rows) {
    const c = r.check;
    entry(r.station_id, r.product_id).deliveries.push({
      sha256: r.sha256,
      state: r.state,
      localVersion: r.local_version,
      sentAt: Number(r.sent_at),
      updatedAt: Number(r.updated_at),
      activateSentAt: r.activate_sent_at === null ? null : Number(r.activate_sent_at),
      reason: r.reason,
      check: c
        ? {
            checked: c.checked,
            reason: c.reason,
            goodImages: c.goodImages,
            falseAlarmRate: c.falseAlarmRate,
            failRate: c.failRate,
            expected: c.expected,
            ok: c.ok,
          }
        : null,
    });
  }
  return [...out.values()].sort((a, b) =>
    a.stationId === b.stationId ? a.productId.localeCompare(b.productId) : a.stationId.localeCompare(b.stationId),
  );
}
