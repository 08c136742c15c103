// Procedural images of handmade items on a bench, good or with one drawn defect, for the engine
// tests, the benchmark and the embedded demo station. Deterministic per seed: the same
// (kind, seed) gives the same good item with or without a defect, so the defective image differs
// from the good one only where the defect is (and in the item's shadow for chips and breaks).

import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import sharp, { type Sharp } from 'sharp';
import { benchLook, finishFrame, paintBench } from './bench.ts';
import {
  type Cut,
  type DefectKind,
  DEFECT_KINDS,
  checkDefectKind,
  drawBrokenEdge,
  drawSurfaceDefect,
  isCut,
  planCut,
} from './defects.ts';
import { type ItemKind, ITEM_KINDS, itemFactory } from './items.ts';
import { Rng, checkSeed, hashSeed } from './random.ts';
import { writeFileAtomic } from '../store/atomicWrite.ts';
import { boxBlur, clamp01, createCanvas, len } from './raster.ts';

export { DEFECT_KINDS, ITEM_KINDS };
export type { DefectKind, ItemKind };

/** The station's bench unless told otherwise: all frames of one station share it. */
export const DEFAULT_BENCH_SEED = 7;
export const DEFAULT_SIZE = 256;

export interface RenderOptions {
  kind: ItemKind;
  seed: number;
  width?: number;
  height?: number;
  defect?: DefectKind | null;
  /** Which bench (felt, lighting) the item lies on; default DEFAULT_BENCH_SEED. */
  benchSeed?: number;
  /** How strongly the defect shows, 0 < severity ≤ 1.5 (default 1): scales the opacity of
   *  scratches, spots and cracks and the size of chips and breaks, at the same place. */
  severity?: number;
}

export interface RgbImage {
  /** Interleaved 8-bit RGB, row-major, width*height*3 bytes. */
  rgb: Uint8Array;
  width: number;
  height: number;
}

export interface RenderedItem extends RgbImage {
  kind: ItemKind;
  seed: number;
  defect: DefectKind | null;
  /** 1 where the defect is, 0 elsewhere (width*height); null for a good item. */
  mask: Uint8Array | null;
  /** 1 where the undamaged item would lie (coverage ≥ 0.5), 0 on the bench. */
  itemMask: Uint8Array;
}

function checkSize(value: unknown, field: string): number {
  const v = value ?? DEFAULT_SIZE;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 64 || v > 4096) {
    throw new Error(`demo generator: ${field} must be an integer from 64 to 4096 pixels, got ${String(value)}`);
  }
  return v;
}

function checkSeverity(value: unknown): number {
  const v = value ?? 1;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || v > 1.5) {
    throw new Error(`demo generator: severity must be a number above 0 and at most 1.5, got ${String(value)}`);
  }
  return v;
}

export function renderItem(options: RenderOptions): RenderedItem {
  const create = itemFactory(options.kind);
  const seed = checkSeed(options.seed);
  const width = checkSize(options.width, 'width');
  const height = checkSize(options.height, 'height');
  const defect = checkDefectKind(options.defect);
  const severity = checkSeverity(options.severity);
  const bench = benchLook(checkSeed(options.benchSeed ?? DEFAULT_BENCH_SEED, 'benchSeed'));
  const scale = Math.min(width, height) / 256;
  const n = width * height;

  // separate named streams: drawing a defect never shifts the good item's randomness
  const root = new Rng(hashSeed('demo-item', options.kind, seed));
  const model = create(root.fork('item'), width, height, bench);
  const defectRng = defect ? root.fork('defect', defect) : null;
  const { shape } = model;

  const cut: Cut | null =
    defect && defectRng && isCut(defect) ? planCut(defect, shape, defectRng, scale, severity) : null;
  const goodCover = new Float32Array(n);
  const cover = new Float32Array(n);
  const itemMask = new Uint8Array(n);
  // only pixels near the item can be covered: skip the distance field elsewhere
  const reach = shape.size * 1.5 + 4;
  const y0 = Math.max(0, Math.floor(shape.cy - reach));
  const y1 = Math.min(height - 1, Math.ceil(shape.cy + reach));
  const x0 = Math.max(0, Math.floor(shape.cx - reach));
  const x1 = Math.min(width - 1, Math.ceil(shape.cx + reach));
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const p = y * width + x;
      const d = shape.sdf(x, y);
      if (d > 1) continue;
      goodCover[p] = clamp01(0.5 - d);
      itemMask[p] = goodCover[p] >= 0.5 ? 1 : 0;
      cover[p] = cut ? clamp01(0.5 - Math.max(d, -cut.sdf(x, y))) : goodCover[p];
    }
  }

  const canvas = createCanvas(width, height);
  paintBench(canvas, bench);
  castShadow(canvas, cover, bench.lightX * width - shape.cx, bench.lightY * height - shape.cy, scale);

  const surface = createCanvas(width, height);
  model.paint(surface, goodCover);
  const c = canvas.data;
  const sd = surface.data;
  for (let p = 0; p < n; p++) {
    const a = cover[p];
    if (a <= 0) continue;
    const i = p * 3;
    c[i] += (sd[i] - c[i]) * a;
    c[i + 1] += (sd[i + 1] - c[i + 1]) * a;
    c[i + 2] += (sd[i + 2] - c[i + 2]) * a;
  }

  let mask: Uint8Array | null = null;
  if (defect && defectRng) {
    mask = cut
      ? drawBrokenEdge(canvas, goodCover, cover, cut, model.palette, scale)
      : drawSurfaceDefect(
          defect as 'scratch' | 'spot' | 'crack',
          canvas,
          cover,
          shape,
          model.palette,
          defectRng,
          scale,
          severity,
        );
  }

  const rgb = finishFrame(canvas, bench, root.fork('shot'));
  return { rgb, width, height, kind: model.kind, seed, defect, mask, itemMask };
}

/** Soft shadow on the bench, thrown away from the key light. */
function castShadow(
  canvas: ReturnType<typeof createCanvas>,
  cover: Float32Array,
  lightDx: number,
  lightDy: number,
  scale: number,
): void {
  const { width, height, data } = canvas;
  const dist = len(lightDx, lightDy) || 1;
  const sx = Math.round((-lightDx / dist) * 3 * scale);
  const sy = Math.round((-lightDy / dist) * 3 * scale);
  const shifted = new Float32Array(width * height);
  for (let y = Math.max(0, sy); y < Math.min(height, height + sy); y++) {
    for (let x = Math.max(0, sx); x < Math.min(width, width + sx); x++) {
      shifted[y * width + x] = cover[(y - sy) * width + (x - sx)];
    }
  }
  const shadow = boxBlur(shifted, width, height, 2.5 * scale);
  for (let p = 0; p < shadow.length; p++) {
    const k = 1 - 0.38 * shadow[p];
    const i = p * 3;
    data[i] *= k;
    data[i + 1] *= k;
    data[i + 2] *= k;
  }
}

/** An empty bench frame (same bench and lighting as the items; sensor noise from `seed`). */
export function renderEmptyBench(options: {
  seed: number;
  width?: number;
  height?: number;
  benchSeed?: number;
}): RgbImage {
  const seed = checkSeed(options.seed);
  const width = checkSize(options.width, 'width');
  const height = checkSize(options.height, 'height');
  const bench = benchLook(checkSeed(options.benchSeed ?? DEFAULT_BENCH_SEED, 'benchSeed'));
  const canvas = createCanvas(width, height);
  paintBench(canvas, bench);
  const rgb = finishFrame(canvas, bench, new Rng(hashSeed('demo-empty-bench', seed)));
  return { rgb, width, height };
}

function rawInput(image: RgbImage): Sharp {
  if (image.rgb.length !== image.width * image.height * 3) {
    throw new Error(
      `demo generator: image buffer holds ${image.rgb.length} bytes, expected ${image.width}×${image.height}×3`,
    );
  }
  return sharp(Buffer.from(image.rgb.buffer, image.rgb.byteOffset, image.rgb.byteLength), {
    raw: { width: image.width, height: image.height, channels: 3 },
  });
}

export function encodePng(image: RgbImage): Promise<Buffer> {
  return rawInput(image).png().toBuffer();
}

export function encodeJpeg(image: RgbImage, quality = 92): Promise<Buffer> {
  return rawInput(image).jpeg({ quality }).toBuffer();
}

/** A defect mask (0/1 per pixel) as an 8-bit grayscale PNG with 0/255, the MVTec convention. */
export function encodeMaskPng(mask: Uint8Array, width: number, height: number): Promise<Buffer> {
  if (mask.length !== width * height) {
    throw new Error(`demo generator: mask holds ${mask.length} pixels, expected ${width}×${height}`);
  }
  const grey = Buffer.alloc(mask.length);
  for (let p = 0; p < mask.length; p++) grey[p] = mask[p] ? 255 : 0;
  return sharp(grey, { raw: { width, height, channels: 1 } })
    .png()
    .toBuffer();
}

export interface SampleProductOptions {
  kind: ItemKind;
  goodCount: number;
  defectCount: number;
  seed?: number;
  /** Square image side in px (default 256). */
  size?: number;
  /** Defects to cycle through for the reject images (default: all kinds). */
  defects?: DefectKind[];
  benchSeed?: number;
  /** Defect strength for the reject images (see RenderOptions.severity). */
  severity?: number;
}

/**
 * Writes a sample product: `good/good-000.png…`, `reject/<defect>-000.png…` and
 * `masks/<defect>-000_mask.png…` (same stem as its reject image). Files are written atomically
 * (no half image under a real name). Good and reject images use disjoint seeds. Returns the written paths.
 */
export async function writeSampleProduct(dir: string, options: SampleProductOptions): Promise<string[]> {
  const { kind, goodCount, defectCount } = options;
  itemFactory(kind);
  for (const [field, v] of [
    ['goodCount', goodCount],
    ['defectCount', defectCount],
  ] as const) {
    if (!Number.isInteger(v) || v < 0)
      throw new Error(`demo generator: ${field} must be a whole number ≥ 0, got ${String(v)}`);
  }
  const seed = checkSeed(options.seed ?? 1);
  const size = checkSize(options.size, 'size');
  const defects = (options.defects ?? [...DEFECT_KINDS]).map((d) => checkDefectKind(d) as DefectKind);
  if (defects.length === 0 && defectCount > 0)
    throw new Error('demo generator: defects list is empty but defectCount > 0');
  const base = { kind, width: size, height: size, benchSeed: options.benchSeed };
  const written: string[] = [];
  for (const sub of ['good', 'reject', 'masks']) await mkdir(path.join(dir, sub), { recursive: true });
  const save = async (file: string, data: Buffer): Promise<void> => {
    await writeFileAtomic(file, data);
    written.push(file);
  };
  for (let k = 0; k < goodCount; k++) {
    const item = renderItem({ ...base, seed: hashSeed(seed, 'good', k) });
    await save(path.join(dir, 'good', `good-${pad(k)}.png`), await encodePng(item));
  }
  for (let k = 0; k < defectCount; k++) {
    const defect = defects[k % defects.length];
    const item = renderItem({ ...base, seed: hashSeed(seed, 'reject', k), defect, severity: options.severity });
    const stem = `${defect}-${pad(k)}`;
    await save(path.join(dir, 'reject', `${stem}.png`), await encodePng(item));
    await save(path.join(dir, 'masks', `${stem}_mask.png`), await encodeMaskPng(item.mask as Uint8Array, size, size));
  }
  return written;
}

const pad = (k: number): string => String(k).padStart(3, '0');
