/**
 * The heatmap a person sees: the anomaly map laid over the inspected image. Cells below `low`
 * leave the image untouched, so natural variation stays readable; from `low` to `high` the colour
 * runs yellow → red and grows more opaque.
 */
import { resizeBilinear } from './anomalyMap.ts';
import type { AnomalyMap, DecodedImage } from './types.ts';

export interface OverlayScale {
  /** Map value where colour starts (e.g. half the review threshold). */
  low: number;
  /** Map value drawn full red (e.g. the fail threshold). */
  high: number;
}

/** A scale from the map itself when no band is known: colour the top of its own range. */
export function selfScale(map: AnomalyMap): OverlayScale {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of map.data) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return { low: lo + 0.5 * (hi - lo), high: hi > lo ? hi : lo + 1 };
}

export function heatmapOverlay(image: DecodedImage, map: AnomalyMap, scale: OverlayScale): DecodedImage {
  const { width: w, height: h } = image;
  const r = map.region;
  const rw = Math.max(1, Math.round(r.width));
  const rh = Math.max(1, Math.round(r.height));
  const values = resizeBilinear(map.data, map.width, map.height, rw, rh);
  const out = new Uint8Array(image.data);
  const span = Math.max(1e-9, scale.high - scale.low);
  const x0 = Math.round(r.x);
  const y0 = Math.round(r.y);
  for (let y = 0; y < rh; y++) {
    const iy = y0 + y;
    if (iy < 0 || iy >= h) continue;
    for (let x = 0; x < rw; x++) {
      const ix = x0 + x;
      if (ix < 0 || ix >= w) continue;
      const t = (values[y * rw + x] - scale.low) / span;
      if (t <= 0) continue;
      const k = Math.min(1, t);
      const alpha = 0.25 + 0.45 * k;
      const o = (iy * w + ix) * 3;
      // yellow (255,220,0) at the start of the band, red (230,20,20) at its end
      const cr = 255 - 25 * k;
      const cg = 220 - 200 * k;
      const cb = 20 * k;
      out[o] = out[o] * (1 - alpha) + cr * alpha;
      out[o + 1] = out[o + 1] * (1 - alpha) + cg * alpha;
      out[o + 2] = out[o + 2] * (1 - alpha) + cb * alpha;
    }
  }
  return { name: `${image.name} heatmap`, width: w, height: h, data: out };
}
