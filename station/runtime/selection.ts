/**
 * What the bench inspects now: the selected product and maker, and each product's loaded reference set
 * (or why it has none), kept until a lead activates another version.
 */
import path from 'node:path';
import type { ScanEvent } from '../signals/barcode.ts';
import type { Store } from '../store/index.ts';
import { loadActiveProduct, type ActiveProduct, type InspectorFor } from './activeProduct.ts';
import type { Log } from '../shared/domain.d.ts';

export type SelectionListener = (productId: string, makerId: string | null) => void;

/** What a person changes at once: the product, the maker (null clears it), or both. */
export interface SelectionChange {
  productId?: string;
  makerId?: string | null;
}

export interface Selection {
  readonly productId: string;
  readonly makerId: string | null;
  /** The product's reference set ready to inspect with, or the reason there is none (loaded once). */
  active(productId?: string): ActiveProduct | Error;
  /** Loads the product's active reference set again (after an activation or a roll back). */
  reload(productId: string): ActiveProduct | Error;
  /**
   * One change, heard once: both are checked before either is taken, so a refused maker leaves the product as it
   * was too. Throws, for the person, on a product or maker the store does not know.
   */
  select(change: SelectionChange): void;
  /** Called once after each select() that named a product or a maker. */
  onChange(listener: SelectionListener): void;
}

export interface SelectionOptions {
  store: Store;
  calibrationDir: string;
  inspectorFor: InspectorFor;
  /** The configured selection at start. */
  productId: string;
  makerId: string | null;
  /** The products found in the calibration folder, named when the selected one is not among them. */
  products: string[];
  log: Log;
}

export function createSelection(o: SelectionOptions): Selection {
  const { store, calibrationDir, inspectorFor, products, log } = o;
  let { productId, makerId } = o;
  // Items are recorded whatever the selection: a product with no calibration folder still gets its row (so its
  // inspections can reference it), and each of its items is recorded unjudged with the reason.
  if (!store.products.get(productId)) {
    store.products.upsert({ id: productId, name: productId });
    log.warn(
      `product '${productId}' has no calibration folder ${path.join(calibrationDir, productId)} with a product.json` +
        ` (products: ${products.join(', ') || 'none'}); items will be recorded as unjudged until it has one and is calibrated`,
    );
  }
  if (makerId && !store.makers.get(makerId)) store.makers.upsert({ id: makerId, name: makerId });

  // A failed load is kept too: each item records the reason without reading the files again.
  const loaded = new Map<string, ActiveProduct | Error>();
  const listeners: SelectionListener[] = [];
  const changed = () => {
    for (const l of listeners) l(productId, makerId);
  };
  const active = (id = productId): ActiveProduct | Error => {
    let a = loaded.get(id);
    if (!a) {
      try {
        a = loadActiveProduct(store, calibrationDir, id, inspectorFor);
      } catch (err) {
        a = err as Error;
      }
      loaded.set(id, a);
    }
    return a;
  };

  return {
    get productId() {
      return productId;
    },
    get makerId() {
      return makerId;
    },
    active,
    reload(id) {
      loaded.delete(id);
      return active(id);
    },
    select(change) {
      const { productId: product, makerId: maker } = change;
      if (product !== undefined && !store.products.get(product))
        throw new Error(`unknown product '${product}': add calibration/${product}/product.json and calibrate it`);
      if (maker != null && !store.makers.get(maker)) throw new Error(`unknown maker '${maker}'`);
      if (product === undefined && maker === undefined) return;
      if (product !== undefined) productId = product;
      if (maker !== undefined) makerId = maker;
      changed();
    },
    onChange(listener) {
      listeners.push(listener);
    },
  };
}

/** A scanned product code or maker badge changes the selection; a code the store does not know is logged. */
export function selectByScan(selection: Selection, scan: ScanEvent, log: Log): void {
  try {
    if (scan.kind === 'product') selection.select({ productId: scan.id });
    else if (scan.kind === 'maker') selection.select({ makerId: scan.id });
    // an unknown code was logged by the reader (throttled, escaped)
  } catch (err) {
    log.warn(`barcode: ${(err as Error).message}`);
  }
}
