// The seeded reduction of patch features: a Gaussian random projection, the same on every machine.
import { gaussianArray } from '../shared/random.ts';

/**
 * A Gaussian random projection matrix, row-major [inDim, outDim], scaled by 1/sqrt(outDim)
 * so projected squared distances match the original ones in expectation (Johnson-Lindenstrauss).
 */
export function randomProjection(inDim: number, outDim: number, seed: number): Float32Array {
  const m = gaussianArray(inDim * outDim, seed);
  const s = 1 / Math.sqrt(outDim);
  for (let i = 0; i < m.length; i++) m[i] *= s;
  return m;
}
