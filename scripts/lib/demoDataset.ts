/**
 * The demo product as an MVTec AD category, so `npm run eval` can judge a backbone or setting on the
 * items `npm start` shows: train/good = the demo's calibration images, test = replay items (a defect at
 * every third place) with their defect masks as ground truth.
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEMO_FRAME, DEMO_SAMPLE, demoReplayItem } from '../../station/demo/demoStation.ts';
import { encodeMaskPng, encodePng, writeSampleProduct } from '../../station/demo/generate.ts';
import { writeFileAtomic } from '../../station/store/atomicWrite.ts';

export async function writeDemoDataset(categoryDir: string, testItems: number): Promise<void> {
  // The demo's own calibration folder, rendered aside; its good images become train/good.
  const calibration = await mkdtemp(path.join(tmpdir(), 'demo-calibration-'));
  try {
    await writeSampleProduct(calibration, { ...DEMO_SAMPLE, defectCount: 0 });
    await cp(path.join(calibration, 'good'), path.join(categoryDir, 'train', 'good'), { recursive: true });
  } finally {
    await rm(calibration, { recursive: true, force: true });
  }
  for (let k = 0; k < testItems; k++) {
    const item = demoReplayItem(k);
    const type = item.defect ?? 'good';
    const name = `item-${String(k).padStart(3, '0')}`;
    await writeFileAtomic(path.join(categoryDir, 'test', type, `${name}.png`), await encodePng(item));
    if (item.defect) {
      await writeFileAtomic(
        path.join(categoryDir, 'ground_truth', type, `${name}_mask.png`),
        await encodeMaskPng(item.mask as Uint8Array, DEMO_FRAME, DEMO_FRAME),
      );
    }
  }
}
