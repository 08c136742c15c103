// Synthetic defects drawn on held-out good photographs, so self-tuning calibration can measure
// which engine configuration separates defects from good items best. Pure: no I/O.

import { createRng } from '../../shared/random.ts';
import type { DecodedImage } from '../../vision/types.ts';
import { type DrawDefect, buildContext } from './context.ts';
import { estimateItemMask } from '../../vision/itemMask.ts';
import { chip } from './kinds/chip.ts';
import { crack, scratch } from './kinds/lines.ts';
import { paste } from './kinds/paste.ts';
import { shift, spot } from './kinds/blobs.ts';

export { estimateItemMask };

export const SYNTH_KINDS = ['scratch', 'crack', 'spot', 'paste', 'shift', 'chip'] as const;
export type SynthKind = (typeof SYNTH_KINDS)[number];

const DRAW: Record<SynthKind, DrawDefect> = { scratch, crack, spot, paste, shift, chip };

export interface SynthesizedDefect {
  image: DecodedImage;
  /** 1 where the defect visibly changed the photograph (width*height). */
  mask: Uint8Array;
  kind: SynthKind;
}

export interface SynthOptions {
  kind: SynthKind;
  seed: number;
  /** Other good photographs a `paste` patch may come from. */
  donors?: DecodedImage[];
  /** 1 on the item; estimated from the photograph when not given. */
  itemMask?: Uint8Array;
  /** 0 = hairline … 1 = about a tenth of the item's area; drawn at random when not given. */
  size?: number;
}

/** One 32-bit stream per (seed, parts…), so each defect's randomness stands on its own. */
function mixSeed(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const v of parts) {
    h = Math.imul(h ^ (v >>> 0), 0x01000193);
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
    h ^= h >>> 13;
  }
  return h >>> 0;
}

function checkOptions(img: DecodedImage, opts: SynthOptions): void {
  const where = `synthesizeDefect("${img.name}")`;
  if (!(SYNTH_KINDS as readonly string[]).includes(opts.kind)) {
    throw new Error(`${where}: unknown kind "${String(opts.kind)}"; use one of ${SYNTH_KINDS.join(', ')}`);
  }
  if (!Number.isInteger(opts.seed)) throw new Error(`${where}: seed must be an integer, got ${String(opts.seed)}`);
  if (opts.size !== undefined && !(opts.size >= 0 && opts.size <= 1)) {
    throw new Error(`${where}: size must be a number from 0 to 1, got ${String(opts.size)}`);
  }
  if (img.data.length !== img.width * img.height * 3) {
    throw new Error(`${where}: data holds ${img.data.length} bytes, expected ${img.width}×${img.height}×3 (RGB8)`);
  }
  if (opts.itemMask) {
    if (opts.itemMask.length !== img.width * img.height) {
      throw new Error(`${where}: itemMask holds ${opts.itemMask.length} pixels, expected ${img.width}×${img.height}`);
    }
    if (!opts.itemMask.includes(1)) throw new Error(`${where}: itemMask is empty; pass none to estimate it`);
  }
}

/** Draws one defect of `kind` on a copy of `img`; the same inputs and seed give the same bytes. */
export function synthesizeDefect(img: DecodedImage, opts: SynthOptions): SynthesizedDefect {
  checkOptions(img, opts);
  const rand = createRng(mixSeed(opts.seed, SYNTH_KINDS.indexOf(opts.kind)));
  const size = opts.size ?? rand();
  const ctx = buildContext(img, opts.itemMask ?? estimateItemMask(img), rand, size, opts.donors ?? []);
  const { data, mask } = DRAW[opts.kind](img, ctx);
  return {
    image: { name: `${img.name}#${opts.kind}-${opts.seed}`, width: img.width, height: img.height, data },
    mask,
    kind: opts.kind,
  };
}

export interface SynthSetOptions {
  /** Defects drawn on each good photograph. */
  perImage: number;
  seed: number;
  /** Kinds to cycle through (all by default). */
  kinds?: SynthKind[];
  /** Each good photograph's item mask when the caller has it already (estimated here otherwise). */
  itemMasks?: Uint8Array[];
}

/**
 * `perImage` defects on each good photograph, cycling through the kinds, with sizes spread evenly
 * from hairline to large (shuffled per photograph) and the other goods as paste donors.
 */
export function synthesizeSet(
  goods: DecodedImage[],
  opts: SynthSetOptions,
): { source: number; image: DecodedImage; mask: Uint8Array; kind: SynthKind }[] {
  const kinds = opts.kinds ?? [...SYNTH_KINDS];
  if (!Number.isInteger(opts.perImage) || opts.perImage < 1) {
    throw new Error(`synthesizeSet: perImage must be a positive integer, got ${String(opts.perImage)}`);
  }
  if (kinds.length === 0) throw new Error(`synthesizeSet: kinds is empty; use some of ${SYNTH_KINDS.join(', ')}`);
  const out: { source: number; image: DecodedImage; mask: Uint8Array; kind: SynthKind }[] = [];
  goods.forEach((img, i) => {
    const itemMask = opts.itemMasks?.[i] ?? estimateItemMask(img);
    const donors = goods.filter((_, k) => k !== i);
    const sizes = Array.from({ length: opts.perImage }, (_, j) => (j + 0.5) / opts.perImage);
    const shuffle = createRng(mixSeed(opts.seed, i, 0x5172e5));
    for (let j = sizes.length - 1; j > 0; j--) {
      const k = Math.floor(shuffle() * (j + 1));
      [sizes[j], sizes[k]] = [sizes[k], sizes[j]];
    }
    for (let j = 0; j < opts.perImage; j++) {
      const kind = kinds[(i * opts.perImage + j) % kinds.length];
      const seed = mixSeed(opts.seed, i, j) & 0x7fffffff;
      const made = synthesizeDefect(img, { kind, seed, donors, itemMask, size: sizes[j] });
      out.push({ source: i, ...made });
    }
  });
  return out;
}
