// Realistic images for the browser tests: glazed tiles from the project's demo generator,
// with a heatmap overlay painted where the drawn defect is.
import sharp from 'sharp';
import { encodeJpeg, encodePng, renderItem, type DefectKind } from '../../station/demo/generate.ts';

export async function tileImages(seed: number, defect: DefectKind | null = null, size = 320) {
  const item = renderItem({ kind: 'glazed-tile', seed, width: size, height: size, defect });
  const frame = await encodeJpeg(item, 88);
  // Heat: the defect mask (or a faint centre blob for a good item), blurred, in warm colours.
  const heat = Buffer.alloc(size * size);
  for (let p = 0; p < heat.length; p++) {
    const x = (p % size) / size - 0.5;
    const y = Math.floor(p / size) / size - 0.5;
    heat[p] = item.mask?.[p] ? 255 : Math.max(0, 22 - Math.hypot(x, y) * 90);
  }
  // sharp returns 3 channels from a 1-channel raw input: keep one.
  const blurred = await sharp(heat, { raw: { width: size, height: size, channels: 1 } })
    .blur(size / 60)
    .extractChannel(0)
    .raw()
    .toBuffer();
  let max = 1;
  for (const v of blurred) max = Math.max(max, v);
  const overlay = Buffer.alloc(size * size * 4);
  for (let p = 0; p < size * size; p++) {
    const v = blurred[p] / max;
    overlay[p * 4] = 255;
    overlay[p * 4 + 1] = Math.round(220 * (1 - v));
    overlay[p * 4 + 2] = 0;
    overlay[p * 4 + 3] = Math.round(Math.min(1, v * 1.6) * 200);
  }
  const heatmap = await sharp(frame)
    .composite([{ input: overlay, raw: { width: size, height: size, channels: 4 } }])
    .jpeg({ quality: 85 })
    .toBuffer();
  return { frame, heatmap, png: await encodePng(item) };
}
