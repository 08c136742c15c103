/**
 * Reference-set augmentation: more views of each good image, so an item placed turned or mirrored still finds
 * its neighbours in the bank (pure, on decoded RGB).
 *  - 'flips': mirror left-right, top-bottom and both (a half turn); the frame keeps its shape.
 *  - 'turns': the eight symmetries of the square (quarter turns too); on a non-square input a quarter turn
 *    would squeeze the item, so the caller uses it only where the input is square.
 *  - 'spin': the turns, and each of them turned a further 45° (edges continue mirrored): items that lie at any
 *    angle, like screws, find a view within 22.5° of theirs. Square inputs only, as 'turns'.
 *  - 'jitter': the item as a hand places it a little differently: turned by ±8° and shifted by ±4 % of the frame
 *    (edges continue mirrored, as the fitted input's margin does).
 */
import type { DecodedImage } from './types.ts';

export const AUGMENTATIONS = ['none', 'flips', 'turns', 'spin', 'jitter'] as const;
export type Augmentation = (typeof AUGMENTATIONS)[number];
export const isAugmentation = (v: unknown): v is Augmentation => (AUGMENTATIONS as readonly unknown[]).includes(v);

/** Maps output (x, y) of a w'×h' view to the source pixel; transpose swaps the axes first. */
interface View {
  flipX: boolean;
  flipY: boolean;
  transpose: boolean;
  tag: string;
}

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
  const ow = v.transpose ? h : w,
    oh = v.transpose ? w : h;
  const out = new Uint8Array(ow * oh * 3);
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      let sx = v.transpose ? y : x,
        sy = v.transpose ? x : y;
      if (v.flipX) sx = w - 1 - sx;
      if (v.flipY) sy = h - 1 - sy;
      const s = (sy * w + sx) * 3,
        o = (y * ow + x) * 3;
      out[o] = data[s];
      out[o + 1] = data[s + 1];
      out[o + 2] = data[s + 2];
    }
  }
  return { name: `${img.name}#${v.tag}`, width: ow, height: oh, data: out };
}

/** Mirror an out-of-range coordinate back into 0..n-1. */
const reflect = (v: number, n: number) => {
  const p = 2 * n - 2;
  if (p <= 0) return 0;
  const m = ((v % p) + p) % p;
  return m < n ? m : p - m;
};

/** The image turned by `degrees` about its centre and shifted by (dx, dy) shares of its size, bilinear. */
function moved(img: DecodedImage, degrees: number, dx: number, dy: number, tag: string): DecodedImage {
  const { width: w, height: h, data } = img;
  const out = new Uint8Array(w * h * 3);
  const c = Math.cos((degrees * Math.PI) / 180),
    s = Math.sin((degrees * Math.PI) / 180);
  const cx = (w - 1) / 2,
    cy = (h - 1) / 2,
    sx = dx * w,
    sy = dy * h;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      // Where this output pixel comes from: undo the shift, then the turn.
      const ux = x - sx - cx,
        uy = y - sy - cy;
      const fx = c * ux + s * uy + cx,
        fy = -s * ux + c * uy + cy;
      const x0 = Math.floor(fx),
        y0 = Math.floor(fy),
        ax = fx - x0,
        ay = fy - y0;
      const xa = reflect(x0, w),
        xb = reflect(x0 + 1, w),
        ya = reflect(y0, h),
        yb = reflect(y0 + 1, h);
      for (let k = 0; k < 3; k++) {
        const top = data[(ya * w + xa) * 3 + k] * (1 - ax) + data[(ya * w + xb) * 3 + k] * ax;
        const bottom = data[(yb * w + xa) * 3 + k] * (1 - ax) + data[(yb * w + xb) * 3 + k] * ax;
        out[(y * w + x) * 3 + k] = Math.round(top * (1 - ay) + bottom * ay);
      }
    }
  }
  return { name: `${img.name}#${tag}`, width: w, height: h, data: out };
}

const JITTER: [number, number, number, string][] = [
  [8, 0, 0, 'turn+8'],
  [-8, 0, 0, 'turn-8'],
  [0, 0.04, 0.04, 'shift+4'],
  [0, -0.04, -0.04, 'shift-4'],
];

/** The extra views of an image (the original not included). */
export function augmentedViews(img: DecodedImage, a: Augmentation): DecodedImage[] {
  if (a === 'none') return [];
  if (a === 'jitter') return JITTER.map(([deg, dx, dy, tag]) => moved(img, deg, dx, dy, tag));
  const turns = (a === 'flips' ? FLIPS : TURNS).map((v) => view(img, v));
  if (a !== 'spin') return turns;
  const tilted = moved(img, 45, 0, 0, 'turn45');
  return [...turns, tilted, ...TURNS.map((v) => view(tilted, v))];
}
