// Shared set-up for the store tests: a fresh data folder per test, on the real disk.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import type { JudgedVerdict } from '../../station/shared/domain.d.ts';
import { openStore, type Store } from '../../station/store/index.ts';
export { fakeJpeg } from './jpeg.ts';

const made: string[] = [];
const opened: Store[] = [];

afterEach(() => {
  for (const s of opened.splice(0)) s.close();
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
});

export function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'store-test-'));
  made.push(dir);
  return dir;
}

/** Open a store in a fresh folder; closed and removed after the test. */
export function freshStore(dataDir = tempDir()): Store {
  const store = openStore(dataDir);
  opened.push(store);
  return store;
}

/** A product with an active reference set (review 0.5, fail 0.8) and two makers. */
export function seeded(store: Store) {
  store.products.upsert({ id: 'tile', name: 'Glazed tile', settings: { inputMode: 'whole' } });
  store.products.upsert({ id: 'bowl', name: 'Turned bowl' });
  store.makers.upsert({ id: 'ana', name: 'Ana', badgeCode: 'M:ana' });
  store.makers.upsert({ id: 'ben', name: 'Ben', badgeCode: 'M:ben' });
  const refSet = store.referenceSets.addVersion({
    productId: 'tile',
    filePath: 'refsets/tile/v1.bin',
    modelSha256: 'a'.repeat(64),
    imageCount: 20,
    band: { reviewAt: 0.5, failAt: 0.8, reviewAtInterval: [0.45, 0.55], failAtInterval: [0.7, 0.9] },
  });
  store.referenceSets.activate('tile', refSet.version);
  return { refSet };
}

/** A verdict consistent with the seeded band, so tests never hard-code it. */
export const verdictFor = (score: number): JudgedVerdict => (score >= 0.8 ? 'fail' : score >= 0.5 ? 'review' : 'pass');
