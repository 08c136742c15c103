/**
 * Decoding and fitting images to the model input. Pure: takes Buffers, returns typed arrays (sharp for the pixels).
 * Every failure names the file and says what to do.
 */
import sharp from 'sharp';
import type { ModelManifest } from '../../models/manifest.ts';
import { decodeBmp, isBmp } from './bmp.ts';
import { inputShape } from './settings.ts';
import {
  resizeModesText,
  type DecodedImage,
  type InputGeometry,
  type InputTensor,
  type Rect,
  type ResizeMode,
} from './types.ts';

/** 40 megapixels: above any bench camera, well below what would exhaust memory. */
export const MAX_IMAGE_PIXELS = 40_000_000;

const READABLE = 'PNG, JPEG, BMP, WebP or TIFF';

function explain(name: string, err: unknown): Error {
  const msg = err instanceof Error ? err.message : String(err);
  if (/unsupported image format/i.test(msg)) {
    return new Error(`${name}: not a readable image (expected ${READABLE}); check the file is really an image`);
  }
  if (/pixel limit/i.test(msg)) {
    return new Error(`${name}: image is larger than ${MAX_IMAGE_PIXELS} pixels; resize it before inspection`);
  }
  if (/truncated|premature|read error|corrupt|invalid|bad|end of/i.test(msg)) {
    return new Error(`${name}: the image data is damaged or truncated (${msg}); copy or capture the file again`);
  }
  return new Error(`${name}: cannot decode image (${msg})`);
}

/** An image's width and height as it is seen, EXIF orientation applied (5-8 swap the sides); null without a size. */
export function orientedSize(m: {
  width?: number;
  height?: number;
  orientation?: number;
}): { width: number; height: number } | null {
  if (!m.width || !m.height) return null;
  return (m.orientation ?? 1) >= 5 ? { width: m.height, height: m.width } : { width: m.width, height: m.height };
}

/** Decode PNG/JPEG/BMP/WebP/TIFF (8 or 16 bit, grey, RGB, RGBA) to 8-bit RGB with EXIF orientation applied. */
export async function decodeImage(buf: Uint8Array, name: string): Promise<DecodedImage> {
  if (buf.length === 0) throw new Error(`${name}: the file is empty (0 bytes); capture or copy it again`);
  if (isBmp(buf)) return { name, ...decodeBmp(buf, name, MAX_IMAGE_PIXELS) };
  let meta: Awaited<ReturnType<ReturnType<typeof sharp>['metadata']>>;
  try {
    meta = await sharp(buf, { limitInputPixels: false }).metadata();
  } catch (err) {
    throw explain(name, err);
  }
  const w = meta.width ?? 0,
    h = meta.height ?? 0;
  if (w <= 0 || h <= 0) throw new Error(`${name}: the image header gives no size; re-save the file`);
  if (w * h > MAX_IMAGE_PIXELS) {
    throw new Error(
      `${name}: image is ${w}×${h} pixels, above the limit of ${MAX_IMAGE_PIXELS}; resize it before inspection`,
    );
  }
  try {
    const { data, info } = await sharp(buf, { limitInputPixels: MAX_IMAGE_PIXELS, failOn: 'error' })
      .rotate() // EXIF orientation
      .flatten({ background: { r: 0, g: 0, b: 0 } }) // alpha: composite over black
      .toColourspace('srgb') // grey → 3 channels, 16 bit → 8 bit
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`unexpected ${info.channels} channels after conversion`);
    return {
      name,
      width: info.width,
      height: info.height,
      data: new Uint8Array(data.buffer, data.byteOffset, data.length),
    };
  } catch (err) {
    throw explain(name, err);
  }
}

export interface FitOptions {
  /** Long side of the fitted input, a multiple of the backbone's largest stride. */
  size: number;
  /** Width / height of the fitted input (default 1, square); see FeatureSettings.aspect. */
  aspect?: number;
  /** The largest tap stride: the short side is rounded to a multiple of it (default 1). */
  stride?: number;
  /** The part of the frame to inspect, in shares (default: the whole frame). */
  roi?: Rect | null;
  resize: ResizeMode;
  /** Mirrored border (input pixels) added around the fitted image; see fitGeometry. Default 0. */
  margin?: number;
  /** See FeatureSettings.photometric; default 'none'. */
  photometric?: 'none' | 'standardize';
}

/** Targets for photometric standardisation, on the 0..255 scale. */
const TARGET_MEAN = 118;
const TARGET_STD = 50;

/** One gain and offset (for all channels) that bring the content's luminance to the target mean and spread. */
function standardizer(raw: Uint8Array, g: InputGeometry): { gain: number; offset: number } {
  const { content: c, inputWidth: iw } = g;
  let s = 0,
    s2 = 0,
    n = 0;
  for (let y = c.y; y < c.y + c.height; y++) {
    for (let x = c.x; x < c.x + c.width; x++) {
      const i = (y * iw + x) * 3;
      const l = 0.299 * raw[i] + 0.587 * raw[i + 1] + 0.114 * raw[i + 2];
      s += l;
      s2 += l * l;
      n++;
    }
  }
  const mean = s / n;
  const std = Math.sqrt(Math.max(0, s2 / n - mean * mean));
  // A flat image keeps its contrast (no division by ~0); gain is bounded so noise is not blown up.
  const gain = Math.min(8, TARGET_STD / Math.max(std, 1));
  return { gain, offset: TARGET_MEAN - mean * gain };
}

/** The region of interest in frame pixels (at least one pixel, inside the frame). */
export function roiPixels(width: number, height: number, roi: Rect | null | undefined): Rect {
  if (!roi) return { x: 0, y: 0, width, height };
  const x = Math.min(width - 1, Math.max(0, Math.floor(roi.x * width)));
  const y = Math.min(height - 1, Math.max(0, Math.floor(roi.y * height)));
  return {
    x,
    y,
    width: Math.max(1, Math.min(width - x, Math.round(roi.width * width))),
    height: Math.max(1, Math.min(height - y, Math.round(roi.height * height))),
  };
}

/** The region of interest of a decoded image, as its own image (what the engine sees of it). */
export function cropToRoi(img: DecodedImage, roi: Rect | null | undefined): DecodedImage {
  const r = roiPixels(img.width, img.height, roi);
  if (r.x === 0 && r.y === 0 && r.width === img.width && r.height === img.height) return img;
  const out = new Uint8Array(r.width * r.height * 3);
  for (let y = 0; y < r.height; y++)
    out.set(
      img.data.subarray(((r.y + y) * img.width + r.x) * 3, ((r.y + y) * img.width + r.x + r.width) * 3),
      y * r.width * 3,
    );
  return { name: img.name, width: r.width, height: r.height, data: out };
}

/**
 * Where the image goes in the model input for each resize mode. The region of interest is fitted into the input
 * rectangle (long side `size`, shape `aspect`), then `margin` mirrored pixels are added on every side: the
 * backbone's border cells then see a natural continuation instead of its zero padding (border patches otherwise
 * look unlike anything and score high). The margin cells are never scored.
 */
export function fitGeometry(
  width: number,
  height: number,
  { size, aspect = 1, stride = 1, roi = null, resize, margin = 0 }: FitOptions,
): InputGeometry {
  const frame = roiPixels(width, height, roi);
  const { width: iw, height: ih } = inputShape({ size, aspect }, stride);
  const at = (c: Rect): Rect => ({ x: c.x + margin, y: c.y + margin, width: c.width, height: c.height });
  const geometry = (content: Rect, region: Rect): InputGeometry => ({
    sourceWidth: width,
    sourceHeight: height,
    inputWidth: iw + 2 * margin,
    inputHeight: ih + 2 * margin,
    content: at(content),
    region,
    frame,
  });
  const full: Rect = { x: 0, y: 0, width: iw, height: ih };
  if (resize === 'stretch') return geometry(full, frame);
  if (resize === 'crop') {
    // The largest centred part of the region with the input's shape.
    const cw = Math.max(1, Math.min(frame.width, Math.round((frame.height * iw) / ih)));
    const ch = Math.max(1, Math.min(frame.height, Math.round((frame.width * ih) / iw)));
    return geometry(full, {
      x: frame.x + Math.floor((frame.width - cw) / 2),
      y: frame.y + Math.floor((frame.height - ch) / 2),
      width: cw,
      height: ch,
    });
  }
  if (resize !== 'pad') throw new Error(`resize mode "${String(resize)}" is unknown; use ${resizeModesText()}`);
  const scale = Math.min(iw / frame.width, ih / frame.height);
  const cw = Math.max(1, Math.min(iw, Math.round(frame.width * scale)));
  const ch = Math.max(1, Math.min(ih, Math.round(frame.height * scale)));
  return geometry({ x: Math.floor((iw - cw) / 2), y: Math.floor((ih - ch) / 2), width: cw, height: ch }, frame);
}

/** Resize into the model input and normalise per the manifest: NCHW float32, batch 1. */
export async function toInputTensor(
  img: DecodedImage,
  manifest: ModelManifest,
  opts: FitOptions,
): Promise<InputTensor> {
  const { input } = manifest;
  if (input.dtype !== 'float32')
    throw new Error(
      `model ${manifest.id}: input dtype ${input.dtype} is not supported; convert the model to float32 input`,
    );
  const g = fitGeometry(img.width, img.height, opts);
  const { content: c, region: r } = g;
  let pipe = sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } });
  if (r.x !== 0 || r.y !== 0 || r.width !== img.width || r.height !== img.height) {
    pipe = pipe.extract({ left: r.x, top: r.y, width: r.width, height: r.height });
  }
  pipe = pipe.resize(c.width, c.height, { fit: 'fill', kernel: 'linear' });
  if (c.width !== g.inputWidth || c.height !== g.inputHeight) {
    // Mirror padding continues the item's own texture, so the border between image and padding is not an edge.
    pipe = pipe.extend({
      left: c.x,
      top: c.y,
      right: g.inputWidth - c.x - c.width,
      bottom: g.inputHeight - c.y - c.height,
      extendWith: 'mirror',
    });
  }
  const raw = await pipe.raw().toBuffer();
  const plane = g.inputWidth * g.inputHeight;
  if (raw.length !== plane * 3)
    throw new Error(`${img.name}: resize produced ${raw.length} bytes, expected ${plane * 3}`);
  const out = new Float32Array(plane * 3);
  const order = input.colour === 'BGR' ? [2, 1, 0] : [0, 1, 2];
  const { gain, offset } = opts.photometric === 'standardize' ? standardizer(raw, g) : { gain: 1, offset: 0 };
  for (let ch = 0; ch < 3; ch++) {
    const src = order[ch];
    const mul = input.scale / input.std[ch];
    const add = -input.mean[ch] / input.std[ch];
    const base = ch * plane;
    if (gain === 1 && offset === 0) {
      for (let i = 0; i < plane; i++) out[base + i] = raw[i * 3 + src] * mul + add;
    } else {
      for (let i = 0; i < plane; i++) {
        const v = raw[i * 3 + src] * gain + offset;
        out[base + i] = (v < 0 ? 0 : Math.min(v, 255)) * mul + add;
      }
    }
  }
  return { name: img.name, data: out, width: g.inputWidth, height: g.inputHeight, geometry: g };
}
