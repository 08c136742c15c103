/** Drawn screws for the levelling tests: a round head and a shank lying at any angle on a grey bench. */
import { createRng } from '../../station/shared/random.ts';
import type { DecodedImage } from '../../station/vision/types.ts';

export interface Screw {
  width: number;
  height: number;
  /** Radians: from the head along the shank. */
  angle: number;
  /** Where the shank meets the head's centre line: the item's middle. */
  cx: number;
  cy: number;
  seed: number;
  /** Head radius; the head's centre and the shank's start are `reach` before (cx, cy), its tip `tip` beyond. */
  head: number;
  reach: number;
  tip: number;
  /** Half the shank's thickness. */
  half: number;
  /** Slanted ridges along the shank (else it is flat). */
  threads?: boolean;
  /** 0-1: lightens a small patch of the shank (a defect). */
  spot?: number;
}

export function drawScrew(o: Screw): DecodedImage {
  const r = createRng(o.seed);
  const data = new Uint8Array(o.width * o.height * 3);
  const c = Math.cos(o.angle),
    s = Math.sin(o.angle);
  for (let y = 0; y < o.height; y++)
    for (let x = 0; x < o.width; x++) {
      const dx = x + 0.5 - o.cx,
        dy = y + 0.5 - o.cy;
      const along = dx * c + dy * s,
        across = -dx * s + dy * c;
      const head = (along + o.reach) ** 2 + across ** 2 < o.head ** 2;
      const shank = along > -o.reach && along < o.tip && Math.abs(across) < o.half;
      let v = 205 + (r() - 0.5) * 8;
      if (head) v = 70;
      else if (shank) v = o.threads ? 90 + 50 * Math.sin(((along + across * 0.6) / 6) * 2 * Math.PI) : 85;
      if (shank && o.spot && Math.abs(along - o.tip / 2) < 6 && Math.abs(across) < 6) v += (230 - v) * o.spot;
      data.set([v, v * 0.95, v * 0.9], (y * o.width + x) * 3);
    }
  return { name: `screw-${o.seed}-${o.angle.toFixed(2)}`, width: o.width, height: o.height, data };
}
