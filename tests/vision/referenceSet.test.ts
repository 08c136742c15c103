import { describe, expect, it } from 'vitest';
import { decodeReferenceSet, encodeReferenceSet, type ReferenceSet } from '../../station/vision/referenceSet.ts';
import { gaussianArray } from '../../station/shared/random.ts';
import { DEFAULT_SETTINGS } from '../../station/vision/settings.ts';

function sampleSet(withStats: boolean): ReferenceSet {
  const dim = 16,
    bankSize = 37;
  const bank = gaussianArray(bankSize * dim, 3);
  // Values that a lossy (text or float64) round trip would change.
  bank[0] = -0;
  bank[1] = 1e-42;
  bank[2] = Math.fround(1 / 3);
  bank[3] = NaN;
  bank[4] = 3.4028234663852886e38;
  return {
    formatVersion: 1,
    model: { id: 'mobilenet_v2-features', sha256: 'ab'.repeat(32) },
    settings: { ...DEFAULT_SETTINGS, dim },
    dim,
    bankSize,
    bank,
    projection: gaussianArray(40 * dim, 4),
    projectionShape: [40, dim],
    images: { names: ['good/001.png', 'good/ü-002.png', 'good/003.png'], embeddings: gaussianArray(3 * dim, 5) },
    coreset: { seed: 9, size: 100, sourcePatches: 2352 },
    stats: withStats ? { gridW: 4, gridH: 3, mean: gaussianArray(12, 6), std: gaussianArray(12, 7) } : null,
    createdAt: '2026-01-02T03:04:05.000Z',
  };
}

const bytesOf = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

/** The same file with its JSON header edited (the block area, and so its checksum, unchanged). */
function withHeader(bytes: Uint8Array, edit: (header: Record<string, any>) => void): Uint8Array {
  const align = (n: number) => Math.ceil(n / 16) * 16;
  const hlen = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(12, true);
  const header = JSON.parse(Buffer.from(bytes.subarray(16, 16 + hlen)).toString('utf8'));
  const data = bytes.subarray(align(16 + hlen));
  edit(header);
  const h = Buffer.from(JSON.stringify(header));
  const out = new Uint8Array(align(16 + h.length) + data.length);
  out.set(bytes.subarray(0, 12));
  new DataView(out.buffer).setUint32(12, h.length, true);
  out.set(h, 16);
  out.set(data, align(16 + h.length));
  return out;
}

describe('reference set file', () => {
  for (const withStats of [false, true]) {
    it(`round-trips bit-exactly${withStats ? ' with location stats' : ''}`, () => {
      const set = sampleSet(withStats);
      const bytes = encodeReferenceSet(set);
      expect(Buffer.from(bytes.subarray(0, 8)).toString('latin1')).toBe('BQAREFS\0');
      const back = decodeReferenceSet(bytes);
      expect(bytesOf(back.bank).equals(bytesOf(set.bank))).toBe(true);
      expect(bytesOf(back.projection).equals(bytesOf(set.projection))).toBe(true);
      expect(bytesOf(back.images.embeddings).equals(bytesOf(set.images.embeddings))).toBe(true);
      expect(back.images.names).toEqual(set.images.names);
      expect(back.settings).toEqual(set.settings);
      expect({ ...back, bank: 0, projection: 0, images: 0, stats: 0 }).toEqual({
        ...set,
        bank: 0,
        projection: 0,
        images: 0,
        stats: 0,
      });
      if (withStats) {
        expect(bytesOf(back.stats!.mean).equals(bytesOf(set.stats!.mean))).toBe(true);
        expect(back.stats!.gridW).toBe(4);
      } else expect(back.stats).toBeNull();
      // Encoding again gives identical bytes.
      expect(Buffer.from(encodeReferenceSet(back)).equals(Buffer.from(bytes))).toBe(true);
    });
  }

  it('loads from a Node Buffer that shares a pool and sits at an odd byte offset (as readFileSync gives)', () => {
    const set = sampleSet(true);
    const bytes = encodeReferenceSet(set);
    // A Buffer view into a larger allocation, starting 3 bytes in: Float32Array views of it would be misaligned,
    // and Buffer#slice (unlike Uint8Array#slice) returns a view of the whole pool rather than a copy.
    const pool = Buffer.alloc(bytes.length + 11, 0x7f);
    pool.set(bytes, 3);
    const file = pool.subarray(3, 3 + bytes.length);
    expect(file.byteOffset % 4).toBe(3);
    const back = decodeReferenceSet(file);
    expect(back.bank.length).toBe(set.bank.length);
    expect(bytesOf(back.bank).equals(bytesOf(set.bank))).toBe(true);
    expect(bytesOf(back.images.embeddings).equals(bytesOf(set.images.embeddings))).toBe(true);
    expect(bytesOf(back.stats!.std).equals(bytesOf(set.stats!.std))).toBe(true);
    // The decoded arrays own their memory: later writes to the file buffer do not reach them.
    const before = back.bank[5];
    file.fill(0);
    expect(back.bank[5]).toBe(before);
    // A small Buffer.from copy lands in Node's shared 8 KiB pool (byteOffset usually ≠ 0).
    const pooled = Buffer.from(encodeReferenceSet(sampleSet(false)));
    expect(bytesOf(decodeReferenceSet(pooled).projection).equals(bytesOf(set.projection))).toBe(true);
  });

  it('refuses a set built with another backbone', () => {
    const bytes = encodeReferenceSet(sampleSet(false));
    expect(() =>
      decodeReferenceSet(bytes, {
        source: 'mugs.refset',
        expectedModel: { id: 'mobilenet_v2-features', sha256: 'cd'.repeat(32) },
      }),
    ).toThrow(
      /mugs\.refset: reference set was built with backbone mobilenet_v2-features \(sha256 abababababab…\) but the station runs/,
    );
    expect(() =>
      decodeReferenceSet(bytes, { expectedModel: { id: 'mobilenet_v2-features', sha256: 'ab'.repeat(32) } }),
    ).not.toThrow();
  });

  it('checks the header field by field, naming the field', () => {
    const bytes = encodeReferenceSet(sampleSet(true));
    const refused = (edit: (h: Record<string, any>) => void, message: RegExp) =>
      expect(() => decodeReferenceSet(withHeader(bytes, edit), { source: 'd.refset' })).toThrow(message);
    refused((h) => {
      h.settings.dim = 'x';
    }, /^d\.refset → header → settings → dim: must be a number \(got "x"\); rebuild it/);
    refused((h) => {
      h.settings.colour = 1;
    }, /d\.refset → header → settings: unknown field "colour"/);
    refused((h) => {
      h.extra = 1;
    }, /d\.refset → header: unknown field "extra"/);
    refused((h) => {
      delete h.blocks;
    }, /d\.refset → header → blocks: must be a list of blocks \(got nothing\)/);
    refused((h) => {
      h.blocks[1].count = '3';
    }, /d\.refset → header → blocks\[1\] → count: must be a number/);
    refused((h) => {
      h.settings.resize = 'fit';
    }, /d\.refset → header → settings → resize: must be "pad", "crop" or "stretch" \(got "fit"\)/);
  });

  it('reads a set written before the aspect and roi settings existed', () => {
    const bytes = withHeader(encodeReferenceSet(sampleSet(false)), (h) => {
      delete h.settings.aspect;
      delete h.settings.roi;
    });
    const back = decodeReferenceSet(bytes);
    expect(back.settings.aspect).toBe(1);
    expect(back.settings.roi).toBeNull();
  });

  it('refuses an unknown format version, a foreign file, and damaged data', () => {
    const bytes = encodeReferenceSet(sampleSet(false));
    const v2 = bytes.slice();
    new DataView(v2.buffer).setUint32(8, 2, true);
    expect(() => decodeReferenceSet(v2, { source: 'a.refset' })).toThrow(
      /a\.refset: reference set format version 2 is not supported/,
    );
    expect(() =>
      decodeReferenceSet(new TextEncoder().encode('{"hello": "world"} and more text'), { source: 'b.refset' }),
    ).toThrow(/b\.refset: not a reference set file/);
    expect(() => decodeReferenceSet(bytes.subarray(0, bytes.length - 20), { source: 'c.refset' })).toThrow(
      /c\.refset: reference set data is damaged or truncated/,
    );
    const flipped = bytes.slice();
    flipped[flipped.length - 5] ^= 1;
    expect(() => decodeReferenceSet(flipped)).toThrow(/checksum mismatch/);
  });
});
