/**
 * Products are the calibration folder's product.json files; the store keeps their names for the UI.
 */
import { existsSync } from 'node:fs';
import { listProducts, registerProduct } from '../products/folders.ts';
import type { Store } from '../store/index.ts';
import type { Log } from '../shared/domain.d.ts';

/** Upserts every readable product folder and returns their ids. */
export function syncProducts(store: Store, calibrationDir: string, log: Log): string[] {
  const products: string[] = [];
  for (const id of existsSync(calibrationDir) ? listProducts(calibrationDir) : []) {
    try {
      registerProduct(store, calibrationDir, id);
      products.push(id);
    } catch (err) {
      // One broken folder is named and skipped: it must not keep the bench from inspecting the others.
      log.warn(`skipping calibration folder '${id}': ${(err as Error).message}`);
    }
  }
  log.info(`products: ${products.length ? products.join(', ') : 'none'}`);
  return products;
}
