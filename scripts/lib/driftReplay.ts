/**
 * A replay folder for a bench whose light drifts: the demo's replay items (station/demo), each a little brighter and
 * warmer than the one before, as when a lamp ages or daylight creeps across the bench. Its scores climb item by item
 * against the reference set every bench shares, which the workshop's per-bench score distribution should show.
 * Only item frames drift; the empty bench stays as calibrated, so the presence trigger works as before.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { demoReplayItem } from '../../station/demo/demoStation.ts';
import { encodePng, type RgbImage } from '../../station/demo/generate.ts';
import { writeFileAtomic } from '../../station/store/atomicWrite.ts';

/** Brightness gained per item (1 %: a quarter brighter after 25 items); the colour cast grows with it. */
export const DRIFT_PER_ITEM = 0.01;

export function drifted(image: RgbImage, amount: number): RgbImage {
  const gain = [1 + amount * 1.3, 1 + amount, 1 + amount * 0.6]; // warmer: red grows fastest, blue slowest
  const rgb = new Uint8Array(image.rgb.length);
  for (let i = 0; i < rgb.length; i++) rgb[i] = Math.min(255, Math.round(image.rgb[i] * gain[i % 3]));
  return { rgb, width: image.width, height: image.height };
}

/** Writes `items` drifting frames into `dir` (once: a folder already written is reused). */
export async function writeDriftReplay(dir: string, items: number): Promise<string> {
  const marker = join(dir, '.complete');
  if (existsSync(marker)) return dir;
  mkdirSync(dir, { recursive: true });
  for (let k = 0; k < items; k++) {
    const item = demoReplayItem(k);
    const name = `item-${String(k).padStart(4, '0')}-${item.defect ?? 'good'}-drift${(k * DRIFT_PER_ITEM * 100).toFixed(1)}pc.png`;
    await writeFileAtomic(join(dir, name), await encodePng(drifted(item, k * DRIFT_PER_ITEM)));
  }
  await writeFileAtomic(marker, `${items}\n`);
  return dir;
}
