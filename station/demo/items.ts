// The product kinds the demo can make, behind one small interface (itemKit.ts): where the item
// lies on the bench and how its surface looks. Each kind draws its own natural variation
// (colour, grain, placement) from the item's random stream.

import type { BenchLook } from './bench.ts';
import { ITEM_KINDS, type ItemKind, type ItemModel } from './itemKit.ts';
import { createLeatherPatch } from './leather.ts';
import type { Rng } from './random.ts';
import { createGlazedTile } from './tile.ts';
import { createWoodDisc } from './wood.ts';

export { ITEM_KINDS, type ItemKind };

export type ItemFactory = (rng: Rng, width: number, height: number, bench: BenchLook) => ItemModel;

const FACTORIES: Record<ItemKind, ItemFactory> = {
  'glazed-tile': createGlazedTile,
  'wood-disc': createWoodDisc,
  'leather-patch': createLeatherPatch,
};

export function itemFactory(kind: string): ItemFactory {
  const factory = (FACTORIES as Record<string, ItemFactory | undefined>)[kind];
  if (!factory) {
    throw new Error(`demo generator: unknown item kind "${kind}"; use one of ${ITEM_KINDS.join(', ')}`);
  }
  return factory;
}
