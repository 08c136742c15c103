// Which products the calibration folder holds: one folder each, named by the product id.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

/** Product folders (those holding a product.json) under the calibration folder. */
export function listProducts(calibrationDir: string): string[] {
  if (!existsSync(calibrationDir)) return [];
  return readdirSync(calibrationDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(path.join(calibrationDir, e.name, 'product.json')))
    .map((e) => e.name)
    .sort();
}
