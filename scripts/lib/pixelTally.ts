/**
 * Pixel-level figures of one category: every test image's anomaly map against its defect mask, at one side length.
 * Where items lie on a bench, a mask is also checked against the photo it belongs to: one that lies on the bench,
 * clear of the item, cannot be a defect of the item (a ground-truth file paired with the wrong photo). Such masks are
 * counted and left out of a second figure, so a broken ground truth is named instead of being read as the engine
 * missing defects. On a surface (items fill their frames) there is no bench, so no mask is doubted.
 */
import sharp from 'sharp';
import { resizeAnomalyMap } from '../../station/vision/anomalyMap.ts';
import { estimateItemMask } from '../../station/vision/itemMask.ts';
import { aurocFromGroups } from '../../station/vision/metrics.ts';
import { decodeImage } from '../../station/vision/preprocess.ts';
import { dilate } from '../../station/vision/raster.ts';
import { itemCover, typicalCover } from '../../station/vision/itemRegion.ts';
import { SURFACE_COVER } from '../../station/calibrate/tune/choose.ts';
import type { AnomalyMap } from '../../station/vision/types.ts';
import type { TestImage } from './datasets.ts';

/** A mask lies on the item when at least this share of it is within the (slightly grown) item. */
const ON_ITEM_SHARE = 0.5;
/**
 * How far the item is grown before the check, as a share of the long side: masks are drawn generously, and a chip or
 * a missing corner lies just beyond the item's edge.
 */
const ITEM_MARGIN = 0.04;

/** Growable float buffer: collects millions of pixel scores without boxing them into JS arrays. */
class Floats {
  private buf = new Float32Array(1 << 16);
  length = 0;
  push(src: Float32Array, mask?: Uint8Array, want?: number): void {
    const need = this.length + src.length;
    if (need > this.buf.length) {
      const next = new Float32Array(Math.max(need, this.buf.length * 2));
      next.set(this.buf.subarray(0, this.length));
      this.buf = next;
    }
    for (let i = 0; i < src.length; i++) if (!mask || mask[i] === want) this.buf[this.length++] = src[i];
  }
  view(): Float32Array {
    return this.buf.subarray(0, this.length);
  }
}

/** The anomaly map laid over the full original frame at (tw, th); pixels the map does not cover get its minimum. */
function fullFrameMap(map: AnomalyMap, srcW: number, srcH: number, tw: number, th: number): Float32Array {
  const r = map.region;
  if (r.x === 0 && r.y === 0 && r.width === srcW && r.height === srcH) return resizeAnomalyMap(map, tw, th).data;
  const sx = tw / srcW,
    sy = th / srcH;
  const rx = Math.round(r.x * sx),
    ry = Math.round(r.y * sy);
  const rw = Math.max(1, Math.round(r.width * sx)),
    rh = Math.max(1, Math.round(r.height * sy));
  const part = resizeAnomalyMap(map, rw, rh).data;
  const out = new Float32Array(tw * th).fill(map.data.reduce((a, b) => Math.min(a, b), Infinity));
  for (let y = 0; y < rh && ry + y < th; y++)
    for (let x = 0; x < rw && rx + x < tw; x++) out[(ry + y) * tw + rx + x] = part[y * rw + x];
  return out;
}

async function readMask(file: string, tw: number, th: number): Promise<Uint8Array> {
  const raw = await sharp(file).greyscale().resize(tw, th, { fit: 'fill', kernel: 'nearest' }).raw().toBuffer();
  const out = new Uint8Array(tw * th);
  for (let i = 0; i < out.length; i++) out[i] = raw[i] > 127 ? 1 : 0;
  return out;
}

/** Share of the mask's pixels that lie on the photo's item (grown by ITEM_MARGIN), and the item's share of the frame. */
export async function maskOnItem(photo: Uint8Array, name: string, mask: Uint8Array, tw: number, th: number) {
  const img = await decodeImage(photo, name);
  const item = estimateItemMask(img);
  const grown = dilate(item, img.width, img.height, Math.round(ITEM_MARGIN * Math.max(img.width, img.height)));
  let inside = 0,
    total = 0;
  for (let y = 0; y < th; y++) {
    const sy = Math.min(img.height - 1, Math.floor(((y + 0.5) * img.height) / th));
    for (let x = 0; x < tw; x++) {
      if (!mask[y * tw + x]) continue;
      total++;
      inside += grown[sy * img.width + Math.min(img.width - 1, Math.floor(((x + 0.5) * img.width) / tw))];
    }
  }
  return { share: total ? inside / total : 1, cover: itemCover(item) };
}

export interface PixelFigures {
  /** Pixel AUROC over every mask read (null: no masks). */
  pixelAuroc: number | null;
  /** Defective test images scored at pixel level / defective test images (some datasets lack a few masks). */
  pixelMasks: string;
  /** Masks that lie on the bench, not on their photo's item (see the file comment). */
  masksOffItem: number;
  /** Pixel AUROC without the images whose masks lie off the item (null when there are none, or nothing is left). */
  pixelAurocOnItem: number | null;
}

export class PixelTally {
  /** Good images' pixels, and the masked images' whose masks lie on their items. */
  private readonly on = { pos: new Floats(), neg: new Floats() };
  /** Masked images whose masks lie clear of their items: doubted unless the category is a surface. */
  private readonly doubted: { pos: Float32Array; neg: Float32Array }[] = [];
  /** The item's share of the frame in each masked photo. */
  private readonly covers: number[] = [];
  private masked = 0;
  private result: PixelFigures | undefined;

  constructor(private readonly side: number) {}

  /**
   * One test image: inside its defect mask its pixels are positives, elsewhere negatives; a good image's are all
   * negatives, a defective one without a mask adds none.
   */
  async add(
    anomalyMap: AnomalyMap,
    source: { width: number; height: number },
    t: Pick<TestImage, 'file' | 'defective' | 'mask'>,
    photo: Uint8Array,
  ): Promise<void> {
    if (t.defective && !t.mask) return;
    const { width: w, height: h } = source;
    const k = Math.min(1, this.side / Math.max(w, h));
    const tw = Math.max(1, Math.round(w * k)),
      th = Math.max(1, Math.round(h * k));
    const map = fullFrameMap(anomalyMap, w, h, tw, th);
    if (!t.mask) {
      this.on.neg.push(map);
      return;
    }
    const m = await readMask(t.mask, tw, th);
    this.masked++;
    const { share, cover } = await maskOnItem(photo, t.file, m, tw, th);
    this.covers.push(cover);
    if (share >= ON_ITEM_SHARE) {
      this.on.pos.push(map, m, 1);
      this.on.neg.push(map, m, 0);
      return;
    }
    const pos = new Floats(),
      neg = new Floats();
    pos.push(map, m, 1);
    neg.push(map, m, 0);
    this.doubted.push({ pos: pos.view(), neg: neg.view() });
  }

  /** The category's figures, once every image is in (the doubted images' pixels then join the rest). */
  figures(defective: number): PixelFigures {
    if (this.result) return this.result;
    const surface = typicalCover(this.covers) >= SURFACE_COVER;
    const offItem = surface ? 0 : this.doubted.length;
    const auroc = (p: Floats, n: Floats) => (p.length > 0 && n.length > 0 ? aurocFromGroups(p.view(), n.view()) : null);
    const onItem = offItem > 0 ? auroc(this.on.pos, this.on.neg) : null;
    for (const d of this.doubted) {
      this.on.pos.push(d.pos);
      this.on.neg.push(d.neg);
    }
    this.result = {
      pixelAuroc: this.masked > 0 ? auroc(this.on.pos, this.on.neg) : null,
      pixelMasks: `${this.masked}/${defective}`,
      masksOffItem: offItem,
      pixelAurocOnItem: onItem,
    };
    return this.result;
  }
}

/** "pixel AUROC …" for the printed report, naming masks that lie off their item. */
export function pixelText(f: PixelFigures): string {
  const fmt = (x: number | null) => (x === null ? 'n/a' : x.toFixed(4));
  const off = f.masksOffItem ? `; ${f.masksOffItem} lie off the item, without them ${fmt(f.pixelAurocOnItem)}` : '';
  return `pixel AUROC ${fmt(f.pixelAuroc)} (masks ${f.pixelMasks}${off})`;
}
