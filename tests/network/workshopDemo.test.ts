// `npm run workshop`'s composition, run briefly on real parts: a local broker and PostgreSQL (hub/local/), the hub,
// and three whole demo stations (startStation) with different makers, one under a drifting light. Inspections from
// all three reach PostgreSQL, each with its bench's maker; stopping ends everything it started.
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { portAccepts } from '../../hub/local/service.ts';
import {
  DEMO_BENCHES,
  demoLeadPassword,
  startWorkshopDemo,
  type WorkshopDemo,
} from '../../scripts/lib/workshopDemo.ts';
import { HubClient } from '../hub/harness.ts';
import { eventually, memoryLog } from './workshop.ts';

let dir: string;
let demo: WorkshopDemo | undefined;
const log = memoryLog();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'workshop-demo-'));
  demo = await startWorkshopDemo({
    dir,
    hubPort: 0,
    firstStationPort: 0,
    driftItems: 6,
    holdMs: 1000,
    gapMs: 600,
    log,
  });
});

afterAll(async () => {
  await demo?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('the workshop demo', () => {
  it('inspections from all three stations reach PostgreSQL, each with its maker', async () => {
    const d = demo!;
    expect(d.stations.map((s) => s.id)).toEqual(DEMO_BENCHES.map((b) => b.id));
    const perStation = async () =>
      (
        await d.hub.pool.query(
          `SELECT station_id, array_agg(DISTINCT maker_id) AS makers, COUNT(*)::int AS n
           FROM inspections GROUP BY station_id ORDER BY station_id`,
        )
      ).rows as Array<{ station_id: string; makers: string[]; n: number }>;
    await eventually(async () => (await perStation()).length === 3, 'inspections from all three stations', 240_000);
    expect((await perStation()).map((r) => ({ station: r.station_id, makers: r.makers }))).toEqual(
      DEMO_BENCHES.map((b) => ({ station: b.id, makers: [b.maker] })),
    );
    // Every station is online on the hub (its retained birth message).
    const online = await d.hub.pool.query('SELECT id FROM stations WHERE online ORDER BY id');
    expect(online.rows.map((r) => r.id)).toEqual(DEMO_BENCHES.map((b) => b.id));
    // The drifting bench replays frames rendered with its drift.
    const drift = join(dir, 'stations', 'bench-3', 'drift-replay');
    expect(readdirSync(drift).filter((f) => f.endsWith('.png'))).toHaveLength(6);
  });

  it('makes a lead login for the workshop dashboard, its password readable by the owner only', async () => {
    const d = demo!;
    expect(statSync(d.lead.passwordFile).mode & 0o077).toBe(0);
    const lead = new HubClient(d.hub.url);
    expect((await lead.get('/api/stations')).status).toBe(401);
    expect((await lead.login(d.lead.name, 'not the password')).status).toBe(401);
    expect((await lead.login(d.lead.name, demoLeadPassword(d.lead))).status).toBe(200);
    const stations = await lead.json<Array<{ station: string; makerId: string | null }>>('/api/stations');
    // Each bench with its maker from its start (published at start, not only on a change).
    expect(stations.map((s) => [s.station, s.makerId]).sort()).toEqual(DEMO_BENCHES.map((b) => [b.id, b.maker]));
  });

  it('stops everything it started', async () => {
    const d = demo!;
    const ports = [
      d.services.broker.port,
      d.services.db.port,
      ...[d.hub.url, ...d.stations.map((s) => s.url)].map((u) => Number(new URL(u).port)),
    ];
    await d.stop();
    demo = undefined;
    for (const port of ports) expect(await portAccepts(port)).toBe(false);
    expect(existsSync(join(dir, 'stations', 'bench-1', 'station.sqlite'))).toBe(true);
  });
});
