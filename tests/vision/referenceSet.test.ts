import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { estimateBands } from '../../station/verdict/bands.ts';
import {
  decodeReferenceSet,
  encodeReferenceSet,
  REFERENCE_SET_FORMAT,
  type ReferenceSet,
  type ReferenceSetJudging,
} from '../../station/vision/referenceSet.ts';
import { gaussianArray } from '../../station/shared/random.ts';
import { DEFAULT_SETTINGS } from '../../station/vision/settings.ts';

/** A format-1 file written by the format-1 encoder (before format 2 existed), with a location-stats block. */
const FORMAT1_FILE = path.join(import.meta.dirname, 'fixtures', 'format1.refset');

/** What calibration puts in a format-2 file: a real band from held-out scores and a per-region score model. */
function sampleJudging(): ReferenceSetJudging {
  const band = estimateBands([1.1, 1.3, 1.2, 1.6, 1.25, 1.4, 1.35, 1.5, 1.15, 1.45], { bootstrap: 50, seed: 3 });
  band.scoreKind = 'region-normalised';
  return {
    productId: 'walnut-coaster',
    band,
    scoreModel: {
      kind: 'region',
      gridW: 2,
      gridH: 2,
      stats: { mean: [0.5, 0.25, 1 / 3, 0.125], std: [0.1, 0.2, 0.3, 0.4], n: 10 },
      regions: [{ name: 'rim', x: 0, y: 0, w: 1, h: 0.25, tolerance: 2 }],
      topShare: 0.1,
    },
  };
}

function sampleSet(withJudging: boolean): ReferenceSet {
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
    formatVersion: REFERENCE_SET_FORMAT,
    model: { id: 'mobilenet_v2-features', sha256: 'ab'.repeat(32) },
    settings: { ...DEFAULT_SETTINGS, dim },
    dim,
    bankSize,
    bank,
    projection: gaussianArray(40 * dim, 4),
    projectionShape: [40, dim],
    images: { names: ['good/001.png', 'good/ü-002.png', 'good/003.png'], embeddings: gaussianArray(3 * dim, 5) },
    coreset: { seed: 9, size: 100, sourcePatches: 2352 },
    createdAt: '2026-01-02T03:04:05.000Z',
    ...(withJudging ? { judging: sampleJudging() } : {}),
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
  for (const withJudging of [false, true]) {
    it(`round-trips bit-exactly${withJudging ? ' with its tolerance band and score model' : ''}`, () => {
      const set = sampleSet(withJudging);
      const bytes = encodeReferenceSet(set);
      expect(Buffer.from(bytes.subarray(0, 8)).toString('latin1')).toBe('BQAREFS\0');
      expect(new DataView(bytes.buffer).getUint32(8, true)).toBe(2);
      const back = decodeReferenceSet(bytes);
      expect(bytesOf(back.bank).equals(bytesOf(set.bank))).toBe(true);
      expect(bytesOf(back.projection).equals(bytesOf(set.projection))).toBe(true);
      expect(bytesOf(back.images.embeddings).equals(bytesOf(set.images.embeddings))).toBe(true);
      expect(back.images.names).toEqual(set.images.names);
      expect(back.settings).toEqual(set.settings);
      expect({ ...back, bank: 0, projection: 0, images: 0 }).toEqual({ ...set, bank: 0, projection: 0, images: 0 });
      if (withJudging) {
        expect(back.judging).toEqual(set.judging);
        expect(back.judging!.band.reviewAt).toBe(set.judging!.band.reviewAt);
      } else expect(back.judging).toBeUndefined();
      // Encoding again, or encoding the same set twice, gives identical bytes.
      expect(Buffer.from(encodeReferenceSet(back)).equals(Buffer.from(bytes))).toBe(true);
      expect(Buffer.from(encodeReferenceSet(sampleSet(withJudging))).equals(Buffer.from(bytes))).toBe(true);
    });
  }

  it('carries a pair: its second member round-trips under the same checksum, and pair and partner go together', () => {
    const first = sampleSet(true);
    const second = sampleSet(false);
    const partner = {
      ...second,
      model: { id: 'inception_v3-features', sha256: 'cd'.repeat(32) },
      settings: { ...second.settings, size: 448, aspect: 1.5 },
      bank: gaussianArray(second.bank.length, 11),
    };
    const { formatVersion: _f, judging: _j, ...look } = partner;
    const band = { ...first.judging!.band, scoreKind: 'combined' as const };
    const members = [
      { topShare: 0.1, centre: 1.2, spread: 0.3 },
      { topShare: 0, centre: 7, spread: 2 },
    ];
    const pair: ReferenceSet = {
      ...first,
      judging: { ...first.judging!, band, scoreModel: { kind: 'pair', members } },
      partner: look,
    };
    const bytes = encodeReferenceSet(pair);
    const back = decodeReferenceSet(bytes, { source: 'p.refset' });
    expect(back.partner!.model).toEqual(partner.model);
    expect(back.partner!.settings).toEqual(partner.settings);
    expect(bytesOf(back.partner!.bank).equals(bytesOf(partner.bank))).toBe(true);
    expect(bytesOf(back.bank).equals(bytesOf(first.bank))).toBe(true);
    expect(back.judging!.scoreModel).toEqual({ kind: 'pair', members });
    expect(Buffer.from(encodeReferenceSet(back)).equals(Buffer.from(bytes))).toBe(true);
    // The partner's bank is under the checksum like the first member's.
    const text = Buffer.from(bytes).toString('latin1');
    const at = bytes.length - 4 * (partner.images.embeddings.length + partner.projection.length) - 8;
    expect(text.includes('"partner.bank"')).toBe(true);
    const flipped = bytes.slice();
    flipped[at] ^= 0xff;
    expect(() => decodeReferenceSet(flipped, { source: 'p.refset' })).toThrow(/checksum mismatch/);
    // A pair model without its partner, and a partner under a single model, are refused.
    const { partner: _p, ...alone } = pair;
    expect(() => decodeReferenceSet(encodeReferenceSet(alone), { source: 'p.refset' })).toThrow(
      /p\.refset: judges a pair but carries no partner set/,
    );
    expect(() => decodeReferenceSet(encodeReferenceSet({ ...first, partner: look }), { source: 'p.refset' })).toThrow(
      /p\.refset: carries a partner set but does not judge a pair/,
    );
  });

  it('refuses a file whose tolerance band or score model was changed after it was written', () => {
    const bytes = encodeReferenceSet(sampleSet(true));
    const damaged = /t\.refset: reference set data is damaged or truncated \(checksum mismatch\)/;
    // A looser band, edited through the JSON (the block area untouched).
    const looser = withHeader(bytes, (h) => {
      h.judging.band.failAt *= 10;
    });
    expect(() => decodeReferenceSet(looser, { source: 't.refset' })).toThrow(damaged);
    expect(() =>
      decodeReferenceSet(
        withHeader(bytes, (h) => {
          h.judging.scoreModel.topShare = 0.5;
        }),
        { source: 't.refset' },
      ),
    ).toThrow(damaged);
    // One digit changed in place in the header bytes: same length, same block area.
    const text = Buffer.from(bytes).toString('latin1');
    const at = /"reviewAt":\d/.exec(text)!.index + '"reviewAt":'.length;
    const flipped = bytes.slice();
    flipped[at] = flipped[at] === 0x31 ? 0x32 : 0x31;
    expect(() => decodeReferenceSet(flipped, { source: 't.refset' })).toThrow(damaged);
    // Reordering the header's keys is no change: the checksum is over its content.
    const reordered = withHeader(bytes, (h) => {
      const { model, ...rest } = h;
      for (const k of Object.keys(h)) delete h[k];
      Object.assign(h, { ...rest, model });
    });
    expect(Buffer.from(reordered).equals(Buffer.from(bytes))).toBe(false);
    expect(decodeReferenceSet(reordered).judging).toEqual(sampleSet(true).judging);
  });

  it('still reads a format-1 file (band and score model then come from the database row)', () => {
    const bytes = readFileSync(FORMAT1_FILE);
    expect(bytes.readUInt32LE(8)).toBe(1);
    const set = decodeReferenceSet(bytes, { source: 'format1.refset' });
    expect(set.formatVersion).toBe(1);
    expect(set.judging).toBeUndefined();
    expect(set.bankSize).toBe(12);
    expect(set.bank.length).toBe(12 * 16);
    expect(set.images.names).toEqual(['good/001.png', 'good/002.png', 'good/003.png']);
    // Its checksum still guards its blocks.
    const flipped = Uint8Array.from(bytes);
    flipped[flipped.length - 5] ^= 1;
    expect(() => decodeReferenceSet(flipped)).toThrow(/checksum mismatch/);
    // Written again, it becomes format 2 with the same bank.
    const again = decodeReferenceSet(encodeReferenceSet(set));
    expect(again.formatVersion).toBe(2);
    expect(bytesOf(again.bank).equals(bytesOf(set.bank))).toBe(true);
    // Format 1 sets written before the aspect and roi settings existed.
    const older = decodeReferenceSet(
      withHeader(bytes, (h) => {
        delete h.settings.aspect;
        delete h.settings.roi;
      }),
    );
    expect(older.settings.aspect).toBe(1);
    expect(older.settings.roi).toBeNull();
  });

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
    refused((h) => {
      h.judging.band.failAt = 'high';
    }, /d\.refset → header → judging → band → failAt: must be a number \(got "high"\)/);
    refused((h) => {
      h.judging.scoreModel = { kind: 'median' };
    }, /d\.refset → header → judging → scoreModel → kind: must be a score model of kind "raw", "top", "region" or "pair"/);
    refused((h) => {
      h.stats = null;
    }, /d\.refset → header: unknown field "stats"/);
  });

  it('refuses an unknown format version, a foreign file, and damaged data', () => {
    const bytes = encodeReferenceSet(sampleSet(false));
    const v3 = bytes.slice();
    new DataView(v3.buffer).setUint32(8, 3, true);
    expect(() => decodeReferenceSet(v3, { source: 'a.refset' })).toThrow(
      /a\.refset: reference set format version 3 is not supported \(this station reads versions 1 and 2\)/,
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
