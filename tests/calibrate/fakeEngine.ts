/**
 * A numeric stand-in for the inspection engine: "images" are small JSON files describing patch
 * vectors, a reference set's bank is all their patches, the score is the max nearest-neighbour distance. It exercises
 * the calibration logic without ONNX; tests with the real engine live in engine.test.ts.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { seededRandom } from '../../station/shared/random.ts';
import type { CalibrationEngine, ItemScore } from '../../station/calibrate/engine.ts';
import type { ReferenceSetJudging } from '../../station/vision/referenceSet.ts';

export const GRID = 4; // 4×4 patches
export const DIM = 6;

export interface FakeEmb {
  patches: Float32Array;
  name: string;
}
/** The fake reference set: its memory bank (every patch), the images' names, and what its file carries. */
export interface FakeSet {
  patches: Float32Array;
  count: number;
  names: string[];
  /** The band and score model its file carries (as a format-2 reference set does). */
  judging?: ReferenceSetJudging;
}

/** An image file for the fake engine: seed-driven variation, optional defect on patch 5. */
export function writeFakeImage(file: string, seed: number, defect = 0): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify({ fake: true, seed, defect }));
}

export function fakePatches(seed: number, defect = 0): Float32Array {
  const r = seededRandom(seed);
  const p = new Float32Array(GRID * GRID * DIM);
  for (let i = 0; i < p.length; i++) p[i] = (r() - 0.5) * 0.5;
  for (let j = 0; j < DIM; j++) p[5 * DIM + j] += defect;
  return p;
}

function nn(q: Float32Array, qi: number, bank: Float32Array, count: number): number {
  let best = Infinity;
  for (let b = 0; b < count; b++) {
    let d = 0;
    for (let j = 0; j < DIM; j++) {
      const t = q[qi * DIM + j] - bank[b * DIM + j];
      d += t * t;
    }
    if (d < best) best = d;
  }
  return Math.sqrt(best);
}

export function fakeEngine(opts: { delayMs?: number; sha?: string } = {}): CalibrationEngine<FakeEmb, FakeSet> {
  const wait = () => new Promise((r) => setTimeout(r, opts.delayMs ?? 0));
  return {
    modelSha256: opts.sha ?? 'f'.repeat(64),
    defaultCoresetSize: 1_000_000,
    async embed(buf, name) {
      await wait();
      let j: { fake?: boolean; seed?: number; defect?: number };
      try {
        j = JSON.parse(buf.toString('utf8'));
      } catch {
        throw new Error(`${name}: not a readable image (expected PNG, JPEG, BMP, WebP or TIFF)`);
      }
      if (!j.fake || typeof j.seed !== 'number') throw new Error(`${name}: not a readable image`);
      return { patches: fakePatches(j.seed, j.defect ?? 0), name };
    },
    imageEmbedding(e) {
      const m = new Float32Array(DIM);
      for (let i = 0; i < GRID * GRID; i++)
        for (let j = 0; j < DIM; j++) m[j] += e.patches[i * DIM + j] / (GRID * GRID);
      return m;
    },
    grid: () => ({ gridW: GRID, gridH: GRID }),
    build(embs, names) {
      const patches = new Float32Array(embs.length * GRID * GRID * DIM);
      embs.forEach((e, i) => {
        patches.set(e.patches, i * GRID * GRID * DIM);
      });
      return { patches, count: embs.length * GRID * GRID, names };
    },
    without(set, leave) {
      const per = GRID * GRID * DIM;
      const keep = set.names.flatMap((n, i) => (leave.has(n) ? [] : [i]));
      const patches = new Float32Array(keep.length * per);
      keep.forEach((i, k) => {
        patches.set(set.patches.subarray(i * per, (i + 1) * per), k * per);
      });
      return {
        set: { patches, count: keep.length * GRID * GRID, names: keep.map((i) => set.names[i]) },
        share: 1 - keep.length / set.names.length,
      };
    },
    async score(e, set): Promise<ItemScore> {
      const patchScores = new Float32Array(GRID * GRID);
      for (let i = 0; i < GRID * GRID; i++) patchScores[i] = nn(e.patches, i, set.patches, set.count);
      return { score: Math.max(...patchScores), patchScores };
    },
    serialise: (set, extras) =>
      Buffer.from(
        JSON.stringify({
          sha: opts.sha ?? 'f'.repeat(64),
          names: set.names,
          patches: Array.from(set.patches),
          judging: extras?.judging ?? set.judging,
        }),
      ),
    judgingOf: (set) => set.judging,
    deserialise(bytes, file) {
      let j: { sha: string; names: string[]; patches: number[]; judging?: ReferenceSetJudging };
      try {
        j = JSON.parse(Buffer.from(bytes).toString('utf8'));
      } catch {
        throw new Error(`${file}: damaged reference-set file`);
      }
      if (j.sha !== (opts.sha ?? 'f'.repeat(64))) throw new Error(`${file}: built with another backbone`);
      const patches = Float32Array.from(j.patches);
      return { patches, count: patches.length / DIM, names: j.names, ...(j.judging ? { judging: j.judging } : {}) };
    },
  };
}

/** A product folder of fake images. */
export function writeFakeProduct(
  dir: string,
  opts: { good: number; reject?: number; name?: string; product?: object; seed0?: number },
): void {
  mkdirSync(path.join(dir, 'good'), { recursive: true });
  writeFileSync(path.join(dir, 'product.json'), JSON.stringify(opts.product ?? { name: opts.name ?? 'Fake tile' }));
  const s0 = opts.seed0 ?? 1000;
  for (let i = 0; i < opts.good; i++)
    writeFakeImage(path.join(dir, 'good', `g${String(i).padStart(3, '0')}.png`), s0 + i);
  for (let i = 0; i < (opts.reject ?? 0); i++)
    writeFakeImage(path.join(dir, 'reject', `r${String(i).padStart(3, '0')}.png`), s0 + 5000 + i, 2);
}
