// Surface defects inside a soft blob: a stain that soaks into the surface (multiplied, so the
// texture stays visible) and a local shift of colour, focus or grain.

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
import { boxBlur } from '../../../vision/raster.ts';
import { type Blob, type Layer, blob, createLayer, randomBlob } from '../shapes.ts';

/** Stain tints (multipliers per channel): rust, oil, ink, mould, plain grime. */
const STAINS: [number, number, number][] = [
  [0.85, 0.55, 0.35],
  [0.6, 0.5, 0.4],
  [0.55, 0.6, 0.85],
  [0.65, 0.8, 0.55],
  [0.55, 0.55, 0.55],
];

function softBlob(ctx: SynthContext, r: number, softness: number): { layer: Layer; shape: Blob } {
  const c = pickOnItem(ctx, r);
  const shape = randomBlob(ctx.rand, c.x, c.y, r, 0.3, Math.max(1, softness * r));
  const layer = createLayer(ctx.width, ctx.height);
  blob(layer, shape);
  return { layer, shape };
}

export const spot: DrawDefect = (img, ctx) => {
  const { rand } = ctx;
  const { layer, shape } = softBlob(ctx, defectExtent(ctx) / 2, 0.3);
  const tint = rand() < 0.4 ? STAINS[4].map((v) => v * between(rand, 0.85, 1.2)) : STAINS[Math.floor(rand() * 4)];
  // a stain darkens (multiply) or shows as a bleached tide mark (screen)
  const bleach = showsLighter(
    rand,
    localLuma(img, ctx, Math.round(shape.cx), Math.round(shape.cy), shape.rx + shape.ry),
  );
  // uneven soaking: the stain is denser in some places than others
  const f = between(rand, 0.2, 0.5) / Math.max(1, (shape.rx + shape.ry) / 6);
  const ph = rand() * 6;
  for (let y = layer.y0; y < layer.y1; y++) {
    for (let x = layer.x0; x < layer.x1; x++) {
      layer.a[y * img.width + x] *= 0.8 + 0.2 * Math.sin(x * f + ph) * Math.cos(y * f * 1.3 - ph);
    }
  }
  const paint = startPaint(img, ctx.itemMask);
  apply(paint, layer, (_, rgb) => {
    for (let k = 0; k < 3; k++) rgb[k] = bleach ? 255 - (255 - rgb[k]) * tint[k] : rgb[k] * tint[k];
  });
  return finish(paint);
};

/** Luminance-preserving hue rotation (the W3C feColorMatrix hueRotate matrix). */
function hueMatrix(angle: number): number[] {
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  return [
    0.213 + c * 0.787 - s * 0.213,
    0.715 - c * 0.715 - s * 0.715,
    0.072 - c * 0.072 + s * 0.928,
    0.213 - c * 0.213 + s * 0.143,
    0.715 + c * 0.285 + s * 0.14,
    0.072 - c * 0.072 - s * 0.283,
    0.213 - c * 0.213 - s * 0.787,
    0.715 - c * 0.715 + s * 0.715,
    0.072 + c * 0.928 + s * 0.072,
  ];
}

/** The layer's window of one channel, box-blurred twice (close to a Gaussian). */
function blurWindow(src: Uint8Array, width: number, layer: Layer, channel: number, radius: number): Float32Array {
  const w = layer.x1 - layer.x0;
  const h = layer.y1 - layer.y0;
  const win = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) win[y * w + x] = src[((layer.y0 + y) * width + layer.x0 + x) * 3 + channel];
  }
  return boxBlur(boxBlur(win, w, h, radius), w, h, radius);
}

export const shift: DrawDefect = (img, ctx) => {
  const { rand, width } = ctx;
  const r = 0.6 * defectExtent(ctx);
  const { layer } = softBlob(ctx, r, 0.25);
  const variant = Math.floor(rand() * 3);
  const paint = startPaint(img, ctx.itemMask);

  if (variant === 0) {
    // discoloured: another hue and a lighter or darker tone
    const m = hueMatrix((rand() < 0.5 ? -1 : 1) * between(rand, 0.3, 0.8));
    const offset = (rand() < 0.5 ? -1 : 1) * between(rand, 12, 30);
    apply(paint, layer, (_, rgb) => {
      const [a, b, c] = rgb;
      for (let k = 0; k < 3; k++) rgb[k] = m[3 * k] * a + m[3 * k + 1] * b + m[3 * k + 2] * c + offset;
    });
    return finish(paint);
  }

  const w = layer.x1 - layer.x0;
  const toWindow = (p: number): number => (Math.floor(p / width) - layer.y0) * w + (p % width) - layer.x0;
  if (variant === 1) {
    // a smudge: the texture blurred, greyed and dulled where the finish went flat
    const blurred = [0, 1, 2].map((c) => blurWindow(img.data, width, layer, c, Math.max(1, Math.round(r / 3))));
    apply(paint, layer, (p, rgb) => {
      const q = toWindow(p);
      const grey = 0.299 * blurred[0][q] + 0.587 * blurred[1][q] + 0.114 * blurred[2][q];
      for (let k = 0; k < 3; k++) rgb[k] = (blurred[k][q] * 0.6 + grey * 0.4) * 0.85;
    });
    return finish(paint);
  }

  // rough grain: sharpened texture with added noise, as where a finish wore through
  const soft = [0, 1, 2].map((c) => blurWindow(img.data, width, layer, c, 1));
  const noise = new Float32Array(w * (layer.y1 - layer.y0));
  for (let i = 0; i < noise.length; i++) noise[i] = (rand() + rand() + rand() - 1.5) * 36;
  apply(paint, layer, (p, rgb) => {
    const q = toWindow(p);
    for (let k = 0; k < 3; k++) rgb[k] = rgb[k] + 2 * (rgb[k] - soft[k][q]) + noise[q];
  });
  return finish(paint);
};
