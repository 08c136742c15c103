/**
 * The embedded default: a glazed-tile product whose good and defective items the project
 * renders itself, a calibration folder for it and a replay folder of items for the camera
 * to cycle through. Written once under <dataDir>/demo and reused on later starts.
 */
import { DEFAULT_BACKBONE } from '../../models/load.ts';
import { existsSync, mkdirSync } from 'node:fs';
import { writeFileAtomic } from '../store/atomicWrite.ts';
import path from 'node:path';
import { DEFECT_KINDS, encodePng, renderEmptyBench, renderItem, writeSampleProduct } from './generate.ts';

export const DEMO_PRODUCT = 'demo-tile';
/** Frame side of the replayed items (the calibration images are rendered at the same size). */
export const DEMO_FRAME = 288;

/** The demo product's calibration images: good tiles and a few known rejects (scripts/lib/demoDataset.ts reuses it for `npm run demo:dataset`). */
export const DEMO_SAMPLE = { kind: 'glazed-tile', goodCount: 30, defectCount: 6, seed: 11, size: DEMO_FRAME } as const;

export interface DemoPaths {
  calibrationDir: string;
  replayDir: string;
  emptyBench: string;
}

export function demoPaths(dataDir: string): DemoPaths {
  const root = path.join(dataDir, 'demo');
  return {
    calibrationDir: path.join(root, 'calibration'),
    replayDir: path.join(root, 'replay'),
    emptyBench: path.join(root, 'empty-bench.png'),
  };
}

/** Creates the demo folders unless a previous start finished them (a marker is written last). */
/** `backbone`: the id the demo product pins (the station's configured backbone; default MobileNetV2). */
export async function ensureDemo(
  dataDir: string,
  opts: { good?: number; replayItems?: number; backbone?: string } = {},
): Promise<DemoPaths> {
  const p = demoPaths(dataDir);
  const marker = path.join(dataDir, 'demo', '.complete');
  if (existsSync(marker)) return p;
  const productDir = path.join(p.calibrationDir, DEMO_PRODUCT);
  mkdirSync(p.replayDir, { recursive: true });
  await writeSampleProduct(productDir, { ...DEMO_SAMPLE, goodCount: opts.good ?? DEMO_SAMPLE.goodCount });
  await writeFileAtomic(
    path.join(productDir, 'product.json'),
    JSON.stringify(
      {
        name: 'Demo glazed tile',
        inputMode: 'pad',
        tolerance: { failRate: 0.01, reviewRate: 0.1 },
        minGoodImages: 10,
        coresetSize: 4000,
        // Pinned, so the demo starts without a configuration search (MobileNetV2 catches its chips; see README).
        engine: { backbone: opts.backbone ?? DEFAULT_BACKBONE, inputSize: 224, aspect: 'square' },
        scoreTopShare: 0,
      },
      null,
      2,
    ),
  );
  // The replay: mostly good items with a defective one every third place, seeds unseen by calibration.
  const n = opts.replayItems ?? 12;
  for (let k = 0; k < n; k++) {
    const item = demoReplayItem(k);
    await writeFileAtomic(
      path.join(p.replayDir, `item-${String(k).padStart(3, '0')}-${item.defect ?? 'good'}.png`),
      await encodePng(item),
    );
  }
  await writeFileAtomic(p.emptyBench, await encodePng(demoEmptyBench()));
  // Last, and durable: a start that finds it trusts everything above to be on disk.
  await writeFileAtomic(marker, new Date().toISOString());
  return p;
}

/** Replay item k: a glazed tile unseen by calibration, with a defect at every third place. */
export function demoReplayItem(k: number) {
  const defect = k % 3 === 2 ? DEFECT_KINDS[((k / 3) % DEFECT_KINDS.length) | 0] : null;
  return renderItem({ kind: 'glazed-tile', seed: 5000 + k, width: DEMO_FRAME, height: DEMO_FRAME, defect });
}

export const demoEmptyBench = () => renderEmptyBench({ seed: 1, width: DEMO_FRAME, height: DEMO_FRAME });
