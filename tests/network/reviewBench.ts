// A bench for the hub-review tests, as the station's runtime composes it: a real store (SQLite) with real evidence
// JPEGs, the real command handler (the same review path as the station's own Review page) and the real publisher with
// its commands subscription, on the test's broker. No vision engine: the items are recorded as judged.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { startPublisher, type Publisher } from '../../station/network/publisher.ts';
import { commandHandler, type CommandHandler } from '../../station/runtime/commands.ts';
import { type Inspection, openStore, type Store, writeEvidence } from '../../station/store/index.ts';

export const PRODUCT = 'tile';
export const BAND = { reviewAt: 14, failAt: 17 };

export interface ReviewBench {
  id: string;
  store: Store;
  calibrationDir: string;
  warnings: string[];
  online: boolean;
  /** Starts the publisher (and its commands subscription), as the station does at start. */
  connect(): void;
  disconnect(): Promise<void>;
  /** A borderline item judged review, with a frame and heatmap on disk; `shade` makes each frame's bytes its own. */
  inspect(shade: number): Promise<Inspection>;
  close(): Promise<void>;
}

export async function openReviewBench(id: string, brokerUrl: () => string, password: string): Promise<ReviewBench> {
  const root = mkdtempSync(path.join(tmpdir(), `hubrev-${id}-`));
  const store = openStore(path.join(root, 'data'));
  store.products.upsert({ id: PRODUCT, name: 'Glazed tile' });
  store.makers.upsert({ id: 'ana', name: 'Ana', badgeCode: 'M:ana' });
  const calibrationDir = path.join(root, 'calibration');
  const warnings: string[] = [];
  const log = { info: () => {}, warn: (m: string) => void warnings.push(m) };
  const commands: CommandHandler = commandHandler({
    store,
    calibrationDir,
    dataDir: store.dataDir,
    modelManifest: 'no-engine-needed',
    hasBackbone: () => false,
    activate: () => {
      throw new Error('not in these tests');
    },
    log,
  });
  let publisher: Publisher | null = null;
  const bench: ReviewBench = {
    id,
    store,
    calibrationDir,
    warnings,
    get online() {
      return publisher !== null;
    },
    connect() {
      publisher = startPublisher({
        store,
        stationId: id,
        url: brokerUrl(),
        username: id,
        password,
        onCommand: commands.handle,
        log,
      });
    },
    async disconnect() {
      await publisher?.close();
      publisher = null;
    },
    async inspect(shade) {
      const inspectedAt = Date.now();
      const jpeg = (r: number) =>
        sharp({ create: { width: 64, height: 48, channels: 3, background: { r, g: 90, b: 60 } } })
          .jpeg()
          .toBuffer();
      const framePath = await writeEvidence(store.dataDir, { inspectedAt, kind: 'frame', jpeg: await jpeg(shade) });
      const heatmapPath = await writeEvidence(store.dataDir, { inspectedAt, kind: 'heatmap', jpeg: await jpeg(255) });
      return store.inspections.record({
        inspectedAt,
        productId: PRODUCT,
        makerId: 'ana',
        score: 15 + shade / 1000,
        verdict: 'review',
        band: BAND,
        framePath,
        heatmapPath,
      });
    },
    async close() {
      await bench.disconnect();
      await commands.idle();
      store.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
  return bench;
}
