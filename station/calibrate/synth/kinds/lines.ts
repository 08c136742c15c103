// Line defects: a scratch (a smooth thin curve, lighter or darker than the surface) and a crack
// (a dark jagged line, sometimes forked). Both run a few times longer than the defect's extent.

import type { DecodedImage } from '../../../vision/types.ts';
import {
  type DrawDefect,
  type SynthContext,
  between,
  defectExtent,
  localLuma,
  pickOnItem,
  showsLighter,
} from '../context.ts';
import { apply, finish, startPaint } from '../paint.ts';
import { type StrokePoint, createLayer, stroke } from '../shapes.ts';

/** Lines are long and thin: their length is this many times the defect's extent. */
const SCRATCH_LENGTH = 4;
const CRACK_LENGTH = 3;

/** Line width (px): 1 to 3 px at 512 px, wider for larger defects, never under a pixel. */
function lineWidth(ctx: SynthContext, thin: number, thick: number): number {
  const s = Math.min(1, Math.max(0, ctx.size + (ctx.rand() - 0.5) * 0.3));
  return Math.max(1, (thin + (thick - thin) * s) * ctx.px);
}

export const scratch: DrawDefect = (img, ctx) => {
  const { rand } = ctx;
  const length = SCRATCH_LENGTH * defectExtent(ctx);
  const c = pickOnItem(ctx, length / 2);
  const angle = rand() * 2 * Math.PI;
  const dx = Math.cos(angle);
  const dy = Math.sin(angle);
  // a cubic Bézier whose two control points bulge sideways: a gentle arc or an S
  const bend1 = between(rand, -0.3, 0.3) * length;
  const bend2 = between(rand, -0.3, 0.3) * length;
  const ctrl = [
    [-0.5, 0],
    [-1 / 6, bend1],
    [1 / 6, bend2],
    [0.5, 0],
  ].map(([along, side]) => [c.x + dx * along * length - dy * side, c.y + dy * along * length + dx * side]);
  const width = lineWidth(ctx, 1, 3);
  const steps = Math.max(8, Math.ceil(length / 2));
  const phase = rand() * 2 * Math.PI;
  const points: StrokePoint[] = [];
  for (let i = 0; i <= steps; i++) {
    const t = i / steps;
    const b = [(1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t ** 2, t ** 3];
    const taper = Math.min(1, 0.4 + 3 * Math.min(t, 1 - t));
    points.push({
      x: b[0] * ctrl[0][0] + b[1] * ctrl[1][0] + b[2] * ctrl[2][0] + b[3] * ctrl[3][0],
      y: b[0] * ctrl[0][1] + b[1] * ctrl[1][1] + b[2] * ctrl[2][1] + b[3] * ctrl[3][1],
      w: width * taper,
      o: 0.8 + 0.2 * Math.sin(phase + t * 9),
    });
  }
  const layer = createLayer(img.width, img.height);
  stroke(layer, points);

  const light = showsLighter(rand, localLuma(img, ctx, c.x, c.y, length / 4));
  const paint = startPaint(img, ctx.itemMask);
  apply(paint, layer, (_, rgb) => {
    for (let k = 0; k < 3; k++) rgb[k] = light ? rgb[k] + (255 - rgb[k]) * 0.6 + 12 : rgb[k] * 0.4;
  });
  return finish(paint);
};

/** A jagged walk from (x, y) along `angle`, wandering but pulled back to its heading. */
function jaggedPath(
  ctx: SynthContext,
  x: number,
  y: number,
  angle: number,
  length: number,
  width: number,
): StrokePoint[] {
  const step = Math.max(1.5, 2 * ctx.px);
  const n = Math.max(3, Math.round(length / step));
  const points: StrokePoint[] = [];
  let heading = angle;
  for (let i = 0; i <= n; i++) {
    const t = i / n;
    points.push({ x, y, w: width * Math.min(1, 0.35 + 2.5 * (1 - t)), o: 1 });
    heading = angle + 0.5 * (heading - angle) + between(ctx.rand, -0.9, 0.9);
    x += Math.cos(heading) * step;
    y += Math.sin(heading) * step;
  }
  return points;
}

export const crack: DrawDefect = (img: DecodedImage, ctx) => {
  const { rand } = ctx;
  const length = CRACK_LENGTH * defectExtent(ctx);
  const c = pickOnItem(ctx, length / 2);
  const angle = rand() * 2 * Math.PI;
  const width = lineWidth(ctx, 1, 2);
  const layer = createLayer(img.width, img.height);
  const main = jaggedPath(
    ctx,
    c.x - (Math.cos(angle) * length) / 2,
    c.y - (Math.sin(angle) * length) / 2,
    angle,
    length,
    width,
  );
  stroke(layer, main);
  if (main.length >= 6 && rand() < 0.6) {
    const from = main[Math.floor(between(rand, 0.3, 0.7) * main.length)];
    const fork = angle + (rand() < 0.5 ? -1 : 1) * between(rand, 0.5, 1.0);
    stroke(layer, jaggedPath(ctx, from.x, from.y, fork, between(rand, 0.3, 0.6) * length, width * 0.7));
  }
  const paint = startPaint(img, ctx.itemMask);
  apply(paint, layer, (_, rgb) => {
    for (let k = 0; k < 3; k++) rgb[k] *= 0.22;
  });
  return finish(paint);
};
