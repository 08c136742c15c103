// A chip or missing corner: a jagged bite out of the item's outline (out of the frame border
// when the item fills the frame), showing the bench through it, with a lighter broken edge where
// the raw material is exposed.

import type { DecodedImage } from '../../../vision/types.ts';
import { type DrawDefect, defectExtent, pickOnEdge, showsLighter } from '../context.ts';
import { type BenchModel, type Rgb, benchAt, fitBench, flatBench, ringMedian } from '../../../vision/bench.ts';
import { apply, finish, startPaint } from '../paint.ts';
import { blob, createLayer, randomBlob } from '../shapes.ts';

/** What shows through the gap: the bench, or (with no bench in view) a shadow or a light far from the item's shade. */
function gapColour(img: DecodedImage, itemMask: Uint8Array, rand: () => number): BenchModel {
  const bench = fitBench(img, itemMask);
  if (bench) return bench;
  const surface = ringMedian(img) ?? [128, 128, 128];
  const luma = 0.299 * surface[0] + 0.587 * surface[1] + 0.114 * surface[2];
  const shade = (
    showsLighter(rand, luma) ? surface.map((v) => v + (255 - v) * 0.6) : surface.map((v) => v * 0.25)
  ) as Rgb;
  return flatBench(img.width, img.height, shade);
}

export const chip: DrawDefect = (img, ctx) => {
  const r = Math.max(1.5, defectExtent(ctx) / 2);
  const at = pickOnEdge(ctx);
  const bite = randomBlob(ctx.rand, at.x, at.y, r, 1, 0.6);
  const band = Math.max(1.2, 1.5 * ctx.px + 0.08 * r);

  const gap = createLayer(img.width, img.height);
  blob(gap, bite);
  const rim = createLayer(img.width, img.height);
  blob(rim, bite, band);
  // the rim is the ring just outside the bite: what the bite leaves of the grown blob
  for (let y = rim.y0; y < rim.y1; y++) {
    for (let x = rim.x0; x < rim.x1; x++) {
      const p = y * img.width + x;
      rim.a[p] *= 1 - gap.a[p];
    }
  }

  const paint = startPaint(img, ctx.itemMask);
  const colour = gapColour(img, ctx.itemMask, ctx.rand);
  apply(paint, rim, (_, rgb) => {
    for (let k = 0; k < 3; k++) rgb[k] += (255 - rgb[k]) * 0.45;
  });
  apply(paint, gap, (p, rgb) => benchAt(colour, p % img.width, Math.floor(p / img.width), rgb));
  return finish(paint);
};
