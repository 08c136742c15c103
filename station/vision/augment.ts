/**
 * Reference-set augmentation: more views of each good image, so an item placed turned or mirrored still finds
 * its neighbours in the bank (pure, on decoded RGB).
 *  - 'flips': mirror left-right, top-bottom and both (a half turn); the frame keeps its shape.
 *  - 'turns': the eight symmetries of the square (quarter turns too); on a non-square input a quarter turn
 *    would squeeze the item, so the caller uses it only where the input is square.
 */
import type { DecodedImage } from './types.ts';

export const AUGMENTATIONS = ['none', 'flips', 'turns'] as const;
export type Augmentation = (typeof AUGMENTATIONS)[number];
export const isAugmentation = (v: unknown): v is Augmentation => (AUGMENTATIONS as readonly unknown[]).includes(v);

/** Maps output (x, y) of a w'×h' view to the source pixel; transpose swaps the axes first. */
interface View { flipX: boolean; flipY: boolean; transpose: boolean; tag: string }

const FLIPS: View[] = [
  { flipX: true, flipY: false, transpose: false, tag: 'mirror' },
  { flipX: false, flipY: true, transpose: false, tag: 'flip' },
  { flipX: true, flipY: true, transpose: false, tag: 'turn180' },
];
const TURNS: View[] = [
  ...FLIPS,
  { flipX: false, flipY: false, transpose: true, tag: 'transpose' },
  { flipX: false, flipY: true, transpose: true, tag: 'turn90' }, // clockwise
  { flipX: true, flipY: false, transpose: true, tag: 'turn270' },
  { flipX: true, flipY: true, transpose: true, tag: 'antitranspose' },
];

function view(img: DecodedImage, v: View): DecodedImage {
  const { width: w, height: h, data } = img;
  const ow = v.transpose ? h : w, oh = v.transpose ? w : h;
  const out = new Uint8Array(ow * oh * 3);
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      let sx = v.transpose ? y : x, sy = v.transpose ? x : y;
      if (v.flipX) sx = w - 1 - sx;
      if (v.flipY) sy = h - 1 - sy;
      const s = (sy * w + sx) * 3, o = (y * ow + x) * 3;
      out[o] = data[s]; out[o + 1] = data[s + 1]; out[o + 2] = data[s + 2];
    }
  }
  return { name: `${img.name}#${v.tag}`, width: ow, height: oh, data: out };
}

/** The extra views of an image (the original not included). */
export function augmentedViews(img: DecodedImage, a: Augmentation): DecodedImage[] {
  if (a === 'none') return [];
  return (a === 'flips' ? FLIPS : TURNS).map((v) => view(img, v));
}
