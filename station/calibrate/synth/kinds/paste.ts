// A foreign patch (CutPaste-like): cut from another good photograph at another place, or, with
// no donor, from elsewhere on the same photograph turned or mirrored, and pasted with a soft edge.

import type { DecodedImage } from '../../../vision/types.ts';
import { type DrawDefect, between, defectExtent, pickOnItem } from '../context.ts';
import { apply, finish, startPaint } from '../paint.ts';
import { blob, createLayer, randomBlob } from '../shapes.ts';

/** Maps an offset from the patch centre to the offset in the source: 8 turns and mirrors. */
function orientation(code: number): (u: number, v: number) => [number, number] {
  const turn = code & 3;
  const mirror = code >= 4;
  return (u, v) => {
    const m = mirror ? -u : u;
    if (turn === 1) return [-v, m];
    if (turn === 2) return [-m, -v];
    if (turn === 3) return [v, -m];
    return [m, v];
  };
}

export const paste: DrawDefect = (img, ctx) => {
  const { rand } = ctx;
  const r = Math.max(1.5, defectExtent(ctx) / 2);
  const dest = pickOnItem(ctx, r);
  const donor: DecodedImage = ctx.donors.length ? ctx.donors[Math.floor(rand() * ctx.donors.length)] : img;
  // the same photograph's own patch must be turned or mirrored, or it would paste over itself
  const code = donor === img ? 1 + Math.floor(rand() * 7) : Math.floor(rand() * 8);
  const orient = orientation(code);

  // the source: another place on the item (as the donor is another piece of the same product)
  const reach = Math.ceil(r * 1.6) + 2;
  let sx = 0;
  let sy = 0;
  for (let tries = 0; tries < 50; tries++) {
    const s = pickOnItem(ctx, r);
    sx = Math.min(Math.max(s.x, reach), donor.width - 1 - reach);
    sy = Math.min(Math.max(s.y, reach), donor.height - 1 - reach);
    if (Math.hypot(sx - dest.x, sy - dest.y) >= 2 * r) break;
  }
  // colour jitter as in CutPaste: a lighter or darker patch, its tint a little off
  const tone = 1 + (rand() < 0.5 ? -1 : 1) * between(rand, 0.1, 0.25);
  const jitter = [0, 1, 2].map(() => tone * between(rand, 0.94, 1.06));

  const layer = createLayer(img.width, img.height);
  blob(layer, randomBlob(rand, dest.x, dest.y, r, 0.1, Math.max(1, 0.15 * r)));
  const paint = startPaint(img, ctx.itemMask);
  const dw = donor.width;
  const dh = donor.height;
  apply(paint, layer, (p, rgb) => {
    const [u, v] = orient((p % img.width) - dest.x, Math.floor(p / img.width) - dest.y);
    const x = Math.min(dw - 1, Math.max(0, sx + u));
    const y = Math.min(dh - 1, Math.max(0, sy + v));
    const i = (y * dw + x) * 3;
    for (let k = 0; k < 3; k++) rgb[k] = donor.data[i + k] * jitter[k];
  });
  return finish(paint);
};
