/**
 * The workshop demo composed: the services (a local broker and PostgreSQL, scripts/lib/workshopServices.ts), the
 * hub, and three demo stations with different makers, each a whole station (`startStation`) with its own data
 * folder, broker credentials and `network` config section, publishing to the hub. Two run the embedded demo
 * (`camera.kind: 'demo'`); the third replays the same product under a drifting light (scripts/lib/driftReplay.ts).
 * `npm run workshop` runs it until Ctrl-C; its test runs it briefly.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hubUsers } from '../../hub/db/users.ts';
import { writeFileAtomic } from '../../station/store/atomicWrite.ts';
import { hashPassword } from '../../web/auth/passwords.ts';
import { startHub, type Hub } from '../../hub/hub.ts';
import { startStation, type Station } from '../../station/app.ts';
import { parseConfig } from '../../station/config.ts';
import { DEMO_FRAME, DEMO_PRODUCT, ensureDemo } from '../../station/demo/demoStation.ts';
import type { Log } from '../../station/shared/domain.d.ts';
import { writeDriftReplay } from './driftReplay.ts';
import { startWorkshopServices, type WorkshopServices } from './workshopServices.ts';

export interface DemoBench {
  id: string;
  maker: string;
  /** Its light drifts: scores climb item by item. */
  drifting: boolean;
}

export const DEMO_BENCHES: readonly DemoBench[] = [
  { id: 'bench-1', maker: 'ana', drifting: false },
  { id: 'bench-2', maker: 'ben', drifting: false },
  { id: 'bench-3', maker: 'cleo', drifting: true },
];

export interface WorkshopDemoOptions {
  /** Everything lives here: services, secrets, each station's data folder. Reusing it keeps the history. */
  dir: string;
  /** The hub's HTTP port (0: any free one). */
  hubPort: number;
  /** The first station's port; the others follow (0: any free ones). */
  firstStationPort: number;
  /** Items in the drifting bench's replay before it starts over (default 80: +80 % brightness at the end). */
  driftItems?: number;
  /** Item on the bench / empty bench between items, ms (default 1500 / 900). */
  holdMs?: number;
  gapMs?: number;
  log: Log;
}

export interface WorkshopDemo {
  services: WorkshopServices;
  hub: Hub;
  /** The demo's lead login to the workshop dashboard; the password is kept in a file of the folder. */
  lead: { name: string; passwordFile: string };
  stations: Array<DemoBench & { station: Station; url: string }>;
  stop(): Promise<void>;
}

/** Each station's log lines carry its id, so three benches in one console can be told apart. */
const tagged = (log: Log, tag: string): Log => ({
  info: (m) => log.info(`[${tag}] ${m}`),
  warn: (m) => log.warn(`[${tag}] ${m}`),
  error: (m) => log.error(`[${tag}] ${m}`),
});

const DEMO_LEAD = 'lead';

/**
 * The workshop dashboard needs a lead login: the demo makes one on its first start, with a random password kept
 * (owner-only) in the folder, and keeps it on later starts.
 */
async function ensureDemoLead(hub: Hub, dir: string): Promise<WorkshopDemo['lead']> {
  const passwordFile = join(dir, 'hub-lead.password');
  const users = hubUsers(hub.pool);
  const known = await users.get(DEMO_LEAD);
  if (!known || !existsSync(passwordFile)) {
    const password = randomBytes(12).toString('base64url');
    if (known) await users.remove(DEMO_LEAD);
    await users.create({ name: DEMO_LEAD, passwordHash: await hashPassword(password), role: 'lead' });
    await writeFileAtomic(passwordFile, `${password}\n`);
    chmodSync(passwordFile, 0o600);
  }
  return { name: DEMO_LEAD, passwordFile };
}

/** The demo lead's password, as `npm run workshop` prints it. */
export const demoLeadPassword = (lead: WorkshopDemo['lead']): string => readFileSync(lead.passwordFile, 'utf8').trim();

async function benchConfig(o: WorkshopDemoOptions, services: WorkshopServices, b: DemoBench, port: number) {
  const dataDir = join(o.dir, 'stations', b.id);
  const timing = { holdMs: o.holdMs ?? 1500, gapMs: o.gapMs ?? 900 };
  let camera: Record<string, unknown> = { kind: 'demo', ...timing };
  if (b.drifting) {
    // The same demo product and calibration, seen under a drifting light: a folder replay of drifted frames.
    const demo = await ensureDemo(dataDir);
    const path = await writeDriftReplay(join(dataDir, 'drift-replay'), o.driftItems ?? 80);
    camera = {
      kind: 'folder',
      path,
      width: DEMO_FRAME,
      height: DEMO_FRAME,
      emptyBench: demo.emptyBench,
      loop: true,
      ...timing,
    };
    return parseConfig(
      {
        dataDir,
        calibrationDir: demo.calibrationDir,
        product: DEMO_PRODUCT,
        camera,
        maker: b.maker,
        server: { host: '127.0.0.1', port },
        network: { station: b.id, broker: services.broker.url, passwordFile: services.passwordFile(b.id) },
      },
      `workshop station ${b.id}`,
    );
  }
  return parseConfig(
    {
      dataDir,
      camera,
      maker: b.maker,
      server: { host: '127.0.0.1', port },
      network: { station: b.id, broker: services.broker.url, passwordFile: services.passwordFile(b.id) },
    },
    `workshop station ${b.id}`,
  );
}

export async function startWorkshopDemo(o: WorkshopDemoOptions): Promise<WorkshopDemo> {
  const services = await startWorkshopServices({
    dir: o.dir,
    stations: DEMO_BENCHES.map((b) => b.id),
    hubPort: o.hubPort,
  });
  const started: WorkshopDemo['stations'] = [];
  let hub: Hub | undefined;
  const stop = async () => {
    // Stations first (each says goodbye and keeps its unsent outbox), then the hub, then the services.
    for (const s of started.splice(0).reverse()) await s.station.close().catch((e) => o.log.warn(`${s.id}: ${e}`));
    await hub?.close();
    await services.stop();
  };
  try {
    hub = await startHub(services.hubConfig, tagged(o.log, 'hub'));
    await hub.ingest.ready;
    const lead = await ensureDemoLead(hub, o.dir);
    // One at a time: on first start each calibrates the demo product, which wants the machine to itself.
    for (const [i, b] of DEMO_BENCHES.entries()) {
      const port = o.firstStationPort === 0 ? 0 : o.firstStationPort + i;
      const station = await startStation(await benchConfig(o, services, b, port), tagged(o.log, b.id));
      started.push({ ...b, station, url: station.url });
    }
    return { services, hub, lead, stations: [...started], stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
