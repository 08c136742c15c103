/** Finding evaluation categories in the MVTec AD folder layout. */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';

export const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.bmp', '.webp', '.tif', '.tiff']);

export interface TestImage {
  file: string;
  /** Defect type folder name ('good' for good items). */
  type: string;
  defective: boolean;
  /** Ground-truth mask, when the dataset has one for this image. */
  mask: string | null;
}

export interface Category {
  dataset: string;
  category: string;
  dir: string;
  train: string[];
  test: TestImage[];
}

const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();

export function listImages(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => IMAGE_EXTENSIONS.has(extname(f).toLowerCase()) && !f.startsWith('.'))
    .sort()
    .map((f) => join(dir, f));
}

export function isCategory(dir: string): boolean {
  return isDir(join(dir, 'train', 'good')) && isDir(join(dir, 'test'));
}

function findMask(dir: string, type: string, file: string): string | null {
  const stem = basename(file, extname(file));
  for (const cand of [`${stem}_mask.png`, `${stem}.png`]) {
    const p = join(dir, 'ground_truth', type, cand);
    if (existsSync(p)) return p;
  }
  return null;
}

export function readCategory(dir: string, dataset: string): Category {
  const train = listImages(join(dir, 'train', 'good'));
  if (train.length === 0)
    throw new Error(`${join(dir, 'train', 'good')}: no images (${[...IMAGE_EXTENSIONS].join(' ')})`);
  const test: TestImage[] = [];
  for (const type of readdirSync(join(dir, 'test')).sort()) {
    const tdir = join(dir, 'test', type);
    if (!isDir(tdir)) continue;
    for (const file of listImages(tdir)) {
      const defective = type !== 'good';
      test.push({ file, type, defective, mask: defective ? findMask(dir, type, file) : null });
    }
  }
  if (!test.some((t) => t.defective) || !test.some((t) => !t.defective)) {
    throw new Error(`${join(dir, 'test')}: needs both test/good and at least one test/<defect> folder with images`);
  }
  return { dataset, category: basename(dir), dir, train, test };
}

/** A category folder, a folder of categories, or a folder of datasets of categories. */
export function discoverCategories(root: string): Category[] {
  const abs = resolve(root);
  if (!isDir(abs))
    throw new Error(`${root}: not a folder; give a category folder (train/good, test/…) or a folder of them`);
  if (isCategory(abs)) return [readCategory(abs, basename(resolve(abs, '..')))];
  const subdirs = readdirSync(abs)
    .sort()
    .map((d) => join(abs, d))
    .filter(isDir);
  const direct = subdirs.filter(isCategory);
  if (direct.length) return direct.map((d) => readCategory(d, basename(abs)));
  const nested: Category[] = [];
  for (const ds of subdirs) {
    for (const d of readdirSync(ds)
      .sort()
      .map((x) => join(ds, x))
      .filter(isDir)) {
      if (isCategory(d)) nested.push(readCategory(d, basename(ds)));
    }
  }
  if (!nested.length) {
    throw new Error(
      `${root}: no categories found; expected <category>/train/good and <category>/test/<type> folders (MVTec AD layout)`,
    );
  }
  return nested;
}
