/**
 * A station without camera or engine, for the workshop benchmark and the network failure tests: its own SQLite store
 * (product, maker, an active reference set), inspections committed through the store's real `inspections.record`
 * (so each goes into the outbox in the same transaction), and the bench's real link to the workshop network
 * (`connectNetwork` → the outbox publisher), configured by the same `network` config section a bench has. Each
 * inspection points at a real frame and heatmap JPEG, so the publisher makes and sends thumbnails as at a bench.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../../station/config.ts';
import { encodeJpeg, renderItem } from '../../station/demo/generate.ts';
import { connectNetwork, type NetworkLink } from '../../station/runtime/network.ts';
import type { Log } from '../../station/shared/domain.d.ts';
import { writeEvidence } from '../../station/store/evidence.ts';
import { type Inspection, openStore, type Store } from '../../station/store/index.ts';

export const SIM_PRODUCT = 'tile';
const BAND = { reviewAt: 0.5, failAt: 0.8 } as const;

export interface SimStationOptions {
  id: string;
  /** The station's data folder (created). */
  dataDir: string;
  /** mqtt://host:port of the workshop broker. */
  broker: string;
  passwordFile: string;
  maker?: string;
  /** Start with the network link (default true); `connect()` starts it later, like a bench plugged in. */
  online?: boolean;
  log?: Log;
}

export interface SimStation {
  id: string;
  store: Store;
  /** The link's state, as the station's /healthz, /metrics and Live page show it; null while not connected. */
  link(): NetworkLink | null;
  connect(): void;
  /** Commits one inspection (and so its outbox entry); score in [0, 1). */
  inspect(score: number, at?: number): Inspection;
  /** The newest station-sequence the outbox gave (sent or not): the hub should end with every seq up to it. */
  lastSeq(): number;
  close(): Promise<void>;
}

const silent: Log = { info: () => undefined, warn: () => undefined, error: () => undefined };

export async function startSimStation(o: SimStationOptions): Promise<SimStation> {
  mkdirSync(o.dataDir, { recursive: true });
  const store = openStore(o.dataDir);
  const maker = o.maker ?? 'ana';
  store.products.upsert({ id: SIM_PRODUCT, name: 'Glazed tile' });
  store.makers.upsert({ id: maker, name: maker });
  const refSet = store.referenceSets.addVersion({
    productId: SIM_PRODUCT,
    filePath: `reference-sets/${SIM_PRODUCT}/v1.refset`,
    modelSha256: 'a'.repeat(64),
    imageCount: 30,
    band: { ...BAND, reviewAtInterval: [0.45, 0.55], failAtInterval: [0.7, 0.9] },
  });
  store.referenceSets.activate(SIM_PRODUCT, refSet.version);
  const item = renderItem({ kind: 'glazed-tile', seed: 1, width: 288, height: 288 });
  const now = Date.now();
  const framePath = await writeEvidence(o.dataDir, { inspectedAt: now, kind: 'frame', jpeg: await encodeJpeg(item) });
  const heatmapPath = await writeEvidence(o.dataDir, {
    inspectedAt: now,
    kind: 'heatmap',
    jpeg: await encodeJpeg(item, 60),
  });

  const config = parseConfig(
    { dataDir: o.dataDir, network: { station: o.id, broker: o.broker, passwordFile: o.passwordFile } },
    `simulated station ${o.id}`,
    o.dataDir,
  );
  let link: NetworkLink | null = null;
  const connect = () => {
    link ??= connectNetwork(config, store, o.log ?? silent);
  };
  if (o.online !== false) connect();

  return {
    id: o.id,
    store,
    link: () => link,
    connect,
    inspect(score, at = Date.now()) {
      const verdict = score >= BAND.failAt ? 'fail' : score >= BAND.reviewAt ? 'review' : 'pass';
      return store.inspections.record({
        inspectedAt: at,
        productId: SIM_PRODUCT,
        makerId: maker,
        referenceSetId: refSet.id,
        score,
        verdict,
        band: BAND,
        timings: { embed: 40, score: 3 },
        framePath,
        heatmapPath,
      });
    },
    lastSeq: () => (store.db.prepare('SELECT MAX(seq) AS seq FROM outbox').get() as { seq: number | null }).seq ?? 0,
    async close() {
      await link?.close();
      store.close();
    },
  };
}

/** Where each simulated station keeps its store under a parent folder. */
export const simStationDir = (parent: string, id: string) => join(parent, 'stations', id);
