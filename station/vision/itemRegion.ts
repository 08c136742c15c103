/**
 * Where a product's items can be in the frame, learned from its good images, so patches of the bench around them
 * are never scored: a bench scuff or a shadow is not a defect of the item. Pure.
 *
 * The region is a coarse grid over the frame — the product's region of interest, or the whole image — in shares of
 * its width and height, so it holds for any input size or shape: the union of every good image's item mask, widened by one cell so an item placed a little further out
 * still counts. Items that fill the frame (textures, tiles) get no region: everything is scored.
 */
import { lowerMedian } from '../shared/numbers.ts';
import type { GridPlacement, InputGeometry, PatchEmbedding } from './types.ts';

export interface ItemRegion {
  width: number;
  height: number;
  /** 1 where an item was seen (or next to it), row-major. */
  data: Uint8Array;
}

export const ITEM_REGION_SIDE = 32;
/** A union covering more of the frame than this leaves nothing worth excluding. */
export const MAX_REGION_COVER = 0.85;

/**
 * The share of its own frame a typical item covers: the median over the images of each mask's coverage. Near 1 the
 * product is a surface (a tile, a hide, a board) rather than an object on a bench.
 */
export function typicalItemCover(masks: Uint8Array[]): number {
  return typicalCover(masks.map(itemCover));
}

/** The share of its frame one item mask covers. */
export function itemCover(mask: Uint8Array): number {
  return mask.reduce((a, b) => a + b, 0) / Math.max(1, mask.length);
}

/** typicalItemCover from each image's coverage. */
export function typicalCover(covers: number[]): number {
  return covers.length === 0 ? 0 : lowerMedian(covers);
}

/** The union of per-image item masks (each at its own resolution) on a side×side frame grid, widened by a cell. */
export function learnItemRegion(
  masks: { width: number; height: number; mask: Uint8Array }[],
  side = ITEM_REGION_SIDE,
): ItemRegion | null {
  if (masks.length === 0) return null;
  const region = { width: side, height: side, data: widenByOneCell(unionOnGrid(masks, side), side) };
  const cover = regionCover(region);
  return cover === 0 || cover > MAX_REGION_COVER ? null : region;
}

/** Every grid cell any image's item mask touches. */
function unionOnGrid(masks: { width: number; height: number; mask: Uint8Array }[], side: number): Uint8Array {
  const seen = new Uint8Array(side * side);
  for (const m of masks) {
    for (let y = 0; y < m.height; y++) {
      const gy = Math.min(side - 1, Math.floor((y * side) / m.height));
      for (let x = 0; x < m.width; x++)
        if (m.mask[y * m.width + x]) seen[gy * side + Math.min(side - 1, Math.floor((x * side) / m.width))] = 1;
    }
  }
  return seen;
}

/** A cell is on when it or one of its eight neighbours was seen: an item placed a little further out still counts. */
function widenByOneCell(seen: Uint8Array, side: number): Uint8Array {
  const data = new Uint8Array(side * side);
  for (let y = 0; y < side; y++)
    for (let x = 0; x < side; x++) {
      let on = 0;
      for (let dy = -1; dy <= 1 && !on; dy++)
        for (let dx = -1; dx <= 1 && !on; dx++) {
          const yy = y + dy,
            xx = x + dx;
          if (yy >= 0 && yy < side && xx >= 0 && xx < side) on = seen[yy * side + xx];
        }
      data[y * side + x] = on;
    }
  return data;
}

/** The share of the frame the region covers. */
export const regionCover = (r: ItemRegion) => r.data.reduce((a, v) => a + v, 0) / r.data.length;

/** Which grid cells lie where items are (1) or on the bench (0): each cell's centre, mapped back to the frame. */
export function cellsOnItem(
  region: ItemRegion,
  gridW: number,
  gridH: number,
  cells: GridPlacement,
  g: InputGeometry,
): Uint8Array {
  const out = new Uint8Array(gridW * gridH);
  const { content: c, region: r, frame: f } = g;
  for (let y = 0; y < gridH; y++) {
    const sy = r.y + ((cells.y0 + (y + 0.5) * cells.stride - c.y) / c.height) * r.height;
    const ry = Math.min(region.height - 1, Math.max(0, Math.floor(((sy - f.y) / f.height) * region.height)));
    for (let x = 0; x < gridW; x++) {
      const sx = r.x + ((cells.x0 + (x + 0.5) * cells.stride - c.x) / c.width) * r.width;
      const rx = Math.min(region.width - 1, Math.max(0, Math.floor(((sx - f.x) / f.width) * region.width)));
      out[y * gridW + x] = region.data[ry * region.width + rx];
    }
  }
  return out;
}

/**
 * The content cells an embedding is scored on: those where the product's items can be (all, without a region). An
 * item lying wholly outside the learned region is scored everywhere rather than not at all: a misplaced item must
 * not pass unseen.
 */
export function scoredCells(e: PatchEmbedding, region: ItemRegion | null | undefined): Uint8Array {
  if (!region) return e.contentMask;
  const item = cellsOnItem(region, e.gridW, e.gridH, e.cells, e.geometry);
  const mask = new Uint8Array(e.contentMask.length);
  let any = 0;
  for (let p = 0; p < mask.length; p++) any |= mask[p] = e.contentMask[p] & item[p];
  return any ? mask : e.contentMask;
}

/** Compact text form for the reference-set header: one string of 0/1 per row. */
export const itemRegionToJson = (r: ItemRegion) => ({
  width: r.width,
  height: r.height,
  rows: Array.from({ length: r.height }, (_, y) =>
    Array.from(r.data.subarray(y * r.width, (y + 1) * r.width)).join(''),
  ),
});

export function itemRegionFromJson(j: { width: number; height: number; rows: string[] }): ItemRegion {
  const data = new Uint8Array(j.width * j.height);
  j.rows.forEach((row, y) => {
    for (let x = 0; x < j.width; x++) data[y * j.width + x] = row[x] === '1' ? 1 : 0;
  });
  return { width: j.width, height: j.height, data };
}
