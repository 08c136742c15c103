/**
 * The bench check of a reference set this station received: the product's good images in this bench's calibration
 * folder, scored with the set's own engine settings and judged by its own band and score model exactly as an
 * inspection would be, then set against what the band promises (verdict/benchCheck.ts). Images the set was built from
 * are left out: scored against a bank holding their own patches they would look flawless.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { EnginePool } from '../engines/pool.ts';
import { inspectorForSet, scoredItem } from '../engines/setInspection.ts';
import { refsetFile } from '../referenceSets/versions.ts';
import type { Store } from '../store/index.ts';
import { benchCheckFigures, type BenchCheckFigures } from '../verdict/benchCheck.ts';
import { productScorer } from '../verdict/scoreModel.ts';
import { decodeImage } from '../vision/preprocess.ts';
import { backbonesOf, decodeReferenceSet, type ReferenceSet } from '../vision/referenceSet.ts';
import { IMAGE_EXTENSIONS } from './scanFolder.ts';

export interface BenchCheck {
  productId: string;
  version: number;
  /** False when there was nothing to check with: `reason` says why. */
  checked: boolean;
  reason: string | null;
  goodImages: number;
  inSet: number;
  figures: BenchCheckFigures | null;
}

/** Same photograph as one the set was built from: its image embedding matches to rounding (names may differ). */
function inSet(set: ReferenceSet, embedding: Float32Array): boolean {
  const { dim } = set;
  const all = set.images.embeddings;
  let norm = 0;
  for (let k = 0; k < dim; k++) norm += embedding[k] * embedding[k];
  for (let i = 0; i + dim <= all.length; i += dim) {
    let d = 0;
    for (let k = 0; k < dim; k++) d += (all[i + k] - embedding[k]) ** 2;
    if (d <= 1e-8 * norm) return true;
  }
  return false;
}

function goodImages(calibrationDir: string, productId: string): string[] {
  const dir = path.join(calibrationDir, productId, 'good');
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && IMAGE_EXTENSIONS.includes(path.extname(e.name).toLowerCase()))
    .map((e) => path.join(dir, e.name))
    .sort();
}

export async function checkOnBench(o: {
  store: Store;
  calibrationDir: string;
  engines: Pick<EnginePool, 'preload' | 'engineForSet'>;
  productId: string;
  version: number;
}): Promise<BenchCheck> {
  const { store, productId, version } = o;
  const row = store.referenceSets.getVersion(productId, version);
  if (!row) throw new Error(`product '${productId}' has no reference set v${version} to check`);
  const file = refsetFile(store.dataDir, row.filePath);
  const set = decodeReferenceSet(readFileSync(file), { source: file });
  if (!set.judging) throw new Error(`${file}: carries no tolerance band to check`);
  const base = { productId, version, goodImages: 0, inSet: 0, figures: null };
  const images = goodImages(o.calibrationDir, productId);
  if (images.length === 0)
    return {
      ...base,
      checked: false,
      reason: `no good images of '${productId}' on this bench (${path.join(o.calibrationDir, productId, 'good')}); checking on the next items a lead marks good is not built yet`,
    };
  await o.engines.preload(backbonesOf(set).map((m) => m.sha256));
  const inspect = inspectorForSet(o.engines, set);
  const scoreOf = productScorer(set.judging.scoreModel);
  const scores: number[] = [];
  let seen = 0;
  for (const image of images) {
    const r = await inspect(await decodeImage(readFileSync(image), image));
    if (inSet(set, r.embedding.imageEmbedding)) seen++;
    else scores.push(scoreOf(scoredItem(r)));
  }
  if (scores.length === 0)
    return {
      ...base,
      inSet: seen,
      checked: false,
      reason: `all ${seen} good images of '${productId}' on this bench are in the reference set itself; add good images it was not built from`,
    };
  const figures = benchCheckFigures(scores, set.judging.band);
  return { ...base, checked: true, reason: null, goodImages: scores.length, inSet: seen, figures };
}
