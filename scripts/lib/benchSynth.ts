/**
 * Drawing synthetic defects (self-tuning draws about 96 per product): ms per defect of each kind at its largest
 * size on a photograph, after a warm-up. A speed figure, so a benchmark, not a test.
 */
import { SYNTH_KINDS, synthesizeDefect } from '../../station/calibrate/synth/index.ts';
import type { DecodedImage } from '../../station/vision/types.ts';

export function benchSynth(img: DecodedImage): Record<string, number> {
  const out: Record<string, number> = {};
  for (const kind of SYNTH_KINDS) {
    synthesizeDefect(img, { kind, seed: 0, size: 1 });
    const t0 = performance.now();
    for (const seed of [1, 2, 3]) synthesizeDefect(img, { kind, seed, size: 1 });
    out[kind] = (performance.now() - t0) / 3;
  }
  return out;
}
