// Builds tiny replay sets for capture/trigger tests: a noisy grey empty bench and items
// drawn as coloured shapes on it, as raw RGB buffers and as PNG files.
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { createRng } from '../../station/shared/random.ts';

export interface Shape {
  kind: 'disc' | 'box';
  /** Centre, in frame-normalised coordinates. */
  cx: number;
  cy: number;
  /** Radius / half size as a fraction of the frame width. */
  size: number;
  rgb: [number, number, number];
}

/** Flat grey bench with per-pixel noise of ±amp. */
export function noisyBench(width: number, height: number, seed: number, grey = 128, amp = 6): Buffer {
  const r = createRng(seed);
  const buf = Buffer.alloc(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    const v = grey + Math.round((r() * 2 - 1) * amp);
    buf[i * 3] = v;
    buf[i * 3 + 1] = v + 2;
    buf[i * 3 + 2] = v - 2;
  }
  return buf;
}

/** A copy of `bench` with the shape painted on it (a little texture so it is not flat). */
export function drawItem(bench: Buffer, width: number, height: number, shape: Shape): Buffer {
  const out = Buffer.from(bench);
  const cx = shape.cx * width;
  const cy = shape.cy * height;
  const s = shape.size * width;
  for (let y = Math.max(0, Math.floor(cy - s)); y < Math.min(height, Math.ceil(cy + s)); y++) {
    for (let x = Math.max(0, Math.floor(cx - s)); x < Math.min(width, Math.ceil(cx + s)); x++) {
      const dx = x - cx;
      const dy = y - cy;
      if (shape.kind === 'disc' && dx * dx + dy * dy > s * s) continue;
      const grain = ((x * 7 + y * 13) % 9) - 4;
      const p = (y * width + x) * 3;
      out[p] = clamp(shape.rgb[0] + grain);
      out[p + 1] = clamp(shape.rgb[1] + grain);
      out[p + 2] = clamp(shape.rgb[2] + grain);
    }
  }
  return out;
}

const clamp = (v: number) => (v < 0 ? 0 : Math.min(v, 255));

/** Colours far from the grey bench in luma, so a grey-thumbnail trigger sees them. */
export const ITEM_COLOURS: [number, number, number][] = [
  [200, 30, 20], // dark red
  [240, 220, 60], // yellow
  [30, 60, 170], // blue
  [250, 250, 245], // white
  [40, 120, 40], // green
  [90, 50, 20], // brown
];

export function itemShape(i: number, at: { cx: number; cy: number } = { cx: 0.5, cy: 0.5 }): Shape {
  return {
    kind: i % 2 === 0 ? 'disc' : 'box',
    ...at,
    size: 0.14 + 0.02 * (i % 3),
    rgb: ITEM_COLOURS[i % ITEM_COLOURS.length],
  };
}

export interface ReplaySet {
  dir: string;
  itemsDir: string;
  emptyPath: string;
  width: number;
  height: number;
  bench: Buffer;
  /** The raw RGB of each item frame, in replay order. */
  items: Buffer[];
  itemPaths: string[];
}

export async function writePng(file: string, rgb: Buffer, width: number, height: number): Promise<void> {
  await sharp(rgb, { raw: { width, height, channels: 3 } })
    .png({ compressionLevel: 1 })
    .toFile(file);
}

/** A temp folder with empty.png (outside the items folder) and items/item-NN.png. */
export async function makeReplaySet(opts: {
  width?: number;
  height?: number;
  shapes: Shape[];
  seed?: number;
}): Promise<ReplaySet> {
  const width = opts.width ?? 320;
  const height = opts.height ?? 240;
  const dir = mkdtempSync(path.join(tmpdir(), 'replay-'));
  const itemsDir = path.join(dir, 'items');
  mkdirSync(itemsDir);
  const bench = noisyBench(width, height, opts.seed ?? 1);
  const emptyPath = path.join(dir, 'empty.png');
  await writePng(emptyPath, bench, width, height);
  const items: Buffer[] = [];
  const itemPaths: string[] = [];
  for (const [i, shape] of opts.shapes.entries()) {
    const rgb = drawItem(bench, width, height, shape);
    const file = path.join(itemsDir, `item-${String(i + 1).padStart(2, '0')}.png`);
    await writePng(file, rgb, width, height);
    items.push(rgb);
    itemPaths.push(file);
  }
  return { dir, itemsDir, emptyPath, width, height, bench, items, itemPaths };
}

/** Mean RGB over a small square around a normalised point of a frame. */
export function meanRgb(
  data: Buffer,
  width: number,
  height: number,
  cx: number,
  cy: number,
  half = 4,
): [number, number, number] {
  const s = [0, 0, 0];
  let n = 0;
  const x0 = Math.round(cx * width);
  const y0 = Math.round(cy * height);
  for (let y = y0 - half; y <= y0 + half; y++) {
    for (let x = x0 - half; x <= x0 + half; x++) {
      const p = (y * width + x) * 3;
      s[0] += data[p];
      s[1] += data[p + 1];
      s[2] += data[p + 2];
      n++;
    }
  }
  return [s[0] / n, s[1] / n, s[2] / n];
}
