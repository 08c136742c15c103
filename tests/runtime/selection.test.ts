// The bench's selection (station/runtime/selection.ts): a change of product and maker is one change, heard once, and
// a refused part leaves the whole selection as it was. A real store file; no reference set is loaded here.
import { describe, expect, it } from 'vitest';
import { createSelection, selectByScan } from '../../station/runtime/selection.ts';
import { freshStore, seeded, tempDir } from '../store/helpers.ts';

const silent = { info() {}, warn() {}, error() {} };

function selection() {
  const store = freshStore();
  seeded(store);
  const s = createSelection({
    store,
    calibrationDir: tempDir(),
    inspectorFor: () => {
      throw new Error('no engine in this test');
    },
    productId: 'tile',
    makerId: 'ana',
    products: ['tile', 'bowl'],
    log: silent,
  });
  const heard: [string, string | null][] = [];
  s.onChange((productId, makerId) => heard.push([productId, makerId]));
  return { s, heard };
}

describe('selection', () => {
  it('product and maker change together and are announced once', () => {
    const { s, heard } = selection();
    s.select({ productId: 'bowl', makerId: 'ben' });
    expect([s.productId, s.makerId]).toEqual(['bowl', 'ben']);
    expect(heard).toEqual([['bowl', 'ben']]);
    s.select({ makerId: null });
    expect(heard).toEqual([
      ['bowl', 'ben'],
      ['bowl', null],
    ]);
  });

  it('a refused maker leaves the product as it was, and nothing is announced', () => {
    const { s, heard } = selection();
    expect(() => s.select({ productId: 'bowl', makerId: 'zed' })).toThrow("unknown maker 'zed'");
    expect(() => s.select({ productId: 'vase' })).toThrow(/unknown product 'vase'/);
    expect([s.productId, s.makerId]).toEqual(['tile', 'ana']);
    expect(heard).toEqual([]);
  });

  it('a scanned badge or product code is one change each', () => {
    const { s, heard } = selection();
    selectByScan(s, { kind: 'maker', id: 'ben' }, silent);
    selectByScan(s, { kind: 'product', id: 'bowl' }, silent);
    expect(heard).toEqual([
      ['tile', 'ben'],
      ['bowl', 'ben'],
    ]);
  });
});
