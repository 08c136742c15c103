// Which products the calibration folder holds: one folder each, named by the product id.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { Store } from '../store/index.ts';
import { loadProductConfig, type ProductConfig } from './productConfig.ts';

/** Product folders (those holding a product.json) under the calibration folder. */
export function listProducts(calibrationDir: string): string[] {
  if (!existsSync(calibrationDir)) return [];
  return readdirSync(calibrationDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(path.join(calibrationDir, e.name, 'product.json')))
    .map((e) => e.name)
    .sort();
}

/** Records a product in the store: its name for the UI, its settings as product.json gave them. */
export function recordProduct(store: Store, id: string, product: ProductConfig): void {
  store.products.upsert({ id, name: product.name, settings: { ...product } as unknown as Record<string, unknown> });
}

/** Reads calibration/<id>/product.json and records the product. */
export function registerProduct(store: Store, calibrationDir: string, id: string): ProductConfig {
  const product = loadProductConfig(path.join(calibrationDir, id, 'product.json'), id);
  recordProduct(store, id, product);
  return product;
}
