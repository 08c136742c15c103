/**
 * The calibration folder: calibration/<product>/{good,reject}/ images and product.json.
 * Lists image files, hashes their content and counts duplicates once. Decoding happens later
 * (while embedding), where unreadable files are reported by name.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.bmp', '.webp', '.tif', '.tiff'];

export interface CalibrationFile {
  /** Shown in reports: path relative to the product folder, e.g. "good/bowl-03.jpg". */
  name: string;
  file: string;
  sha256: string;
  bytes: number;
}

export interface FolderScan {
  productDir: string;
  good: CalibrationFile[];
  reject: CalibrationFile[];
  /** Same content as an earlier file: counted once (the first by name is kept). */
  duplicates: { name: string; sameAs: string }[];
  /** Images accepted from the review queue and the good image each is counted as: its own
   *  review/ name, or the good/ file it was copied to (then it is not a duplicate, and not counted twice). */
  fromReview: { name: string; countedAs: string }[];
  /** Present but not used, with why (not an image extension, a sub-folder, unreadable). */
  ignored: { name: string; reason: string }[];
}

const sha256 = (buf: Buffer) => createHash('sha256').update(buf).digest('hex');

function listImages(dir: string, label: string, scan: FolderScan, seen: Map<string, string>): CalibrationFile[] {
  const out: CalibrationFile[] = [];
  if (!existsSync(dir)) return out;
  if (!statSync(dir).isDirectory()) throw new Error(`${dir} must be a folder of images`);
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  for (const e of entries) {
    const name = `${label}/${e.name}`;
    const file = path.join(dir, e.name);
    if (e.isDirectory()) {
      scan.ignored.push({ name, reason: 'a sub-folder (images must sit directly in the folder)' });
      continue;
    }
    const ext = path.extname(e.name).toLowerCase();
    if (!IMAGE_EXTENSIONS.includes(ext)) {
      scan.ignored.push({ name, reason: `not an image file name (expected ${IMAGE_EXTENSIONS.join(' ')})` });
      continue;
    }
    let buf: Buffer;
    try {
      buf = readFileSync(file);
    } catch (err) {
      scan.ignored.push({
        name,
        reason: `cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
      });
      continue;
    }
    const hash = sha256(buf);
    const first = seen.get(hash);
    if (first !== undefined) {
      if (first.split('/')[0] !== label) {
        throw new Error(
          `${name} and ${first} are the same image (sha256 ${hash.slice(0, 12)}…): an item cannot be both good and a reject; remove one of them`,
        );
      }
      scan.duplicates.push({ name, sameAs: first });
      continue;
    }
    seen.set(hash, name);
    out.push({ name, file, sha256: hash, bytes: buf.length });
  }
  return out;
}

/** Scan one product folder. Missing good/ is a clear stop; reject/ is optional. */
export function scanCalibrationFolder(
  productDir: string,
  extraGood: { name: string; file: string }[] = [],
): FolderScan {
  if (!existsSync(productDir) || !statSync(productDir).isDirectory())
    throw new Error(`calibration folder ${productDir} does not exist; create it with good/ images and a product.json`);
  const goodDir = path.join(productDir, 'good');
  if (!existsSync(goodDir))
    throw new Error(`${goodDir} is missing: put images of accepted (good) items there, at least 10`);
  const scan: FolderScan = { productDir, good: [], reject: [], duplicates: [], fromReview: [], ignored: [] };
  const seen = new Map<string, string>();
  scan.good = listImages(goodDir, 'good', scan, seen);
  for (const x of extraGood) {
    // Images a lead accepted from the review queue (store's calibration_images, source 'review').
    let buf: Buffer;
    try {
      buf = readFileSync(x.file);
    } catch (err) {
      scan.ignored.push({
        name: x.name,
        reason: `cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
      });
      continue;
    }
    const hash = sha256(buf);
    const first = seen.get(hash);
    // Accepting from review copies the frame into good/: that copy is this image, already counted.
    if (first?.startsWith('good/')) {
      scan.fromReview.push({ name: x.name, countedAs: first });
      continue;
    }
    if (first !== undefined) {
      scan.duplicates.push({ name: x.name, sameAs: first });
      continue;
    }
    seen.set(hash, x.name);
    scan.good.push({ name: x.name, file: x.file, sha256: hash, bytes: buf.length });
    scan.fromReview.push({ name: x.name, countedAs: x.name });
  }
  scan.reject = listImages(path.join(productDir, 'reject'), 'reject', scan, seen);
  return scan;
}
