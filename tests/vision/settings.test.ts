import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, resolveSettings, validateSettings } from '../../station/vision/settings.ts';

const mobilenet = {
  id: 'mobilenet_v2-features',
  taps: [
    'block_2_add',
    'block_5_add',
    'block_6_expand_relu',
    'block_9_add',
    'block_12_add',
    'block_13_expand_relu',
  ].map((name, i) => ({ name, stride: [4, 8, 8, 16, 16, 16][i] })),
};
const inception = {
  id: 'inception_v3-features',
  taps: [
    { name: 'mixed2', stride: 8 },
    { name: 'mixed7', stride: 16 },
  ],
};
const other = {
  id: 'my-net',
  taps: [
    { name: 'c2', stride: 4 },
    { name: 'c3', stride: 8 },
    { name: 'c4', stride: 16 },
  ],
};

describe('engine settings per backbone', () => {
  it('each known backbone gets its own taps and defaults; the caller still wins', () => {
    expect(resolveSettings(mobilenet)).toMatchObject({
      taps: ['block_5_add', 'block_6_expand_relu', 'block_12_add', 'block_13_expand_relu'],
      photometric: 'none',
    });
    expect(resolveSettings(inception)).toMatchObject({
      taps: ['mixed2', 'mixed7'],
      photometric: 'standardize',
      size: DEFAULT_SETTINGS.size,
    });
    expect(resolveSettings(inception, { photometric: 'none', taps: ['mixed7'] })).toMatchObject({
      photometric: 'none',
      taps: ['mixed7'],
    });
    // An override given as undefined (e.g. an unset CLI flag) does not erase a default.
    expect(resolveSettings(inception, { photometric: undefined, taps: undefined })).toMatchObject({
      photometric: 'standardize',
      taps: ['mixed2', 'mixed7'],
    });
  });

  it('the map smoothing follows the input size (4 px per 224) unless a sigma is given', () => {
    expect(resolveSettings(mobilenet).sigma).toBe(4);
    expect(resolveSettings(mobilenet, { size: 448 }).sigma).toBe(8);
    expect(resolveSettings(inception, { size: 672, aspect: 0.4 }).sigma).toBe(12);
    expect(resolveSettings(mobilenet, { size: 448, sigma: 3 }).sigma).toBe(3);
    expect(resolveSettings(mobilenet, { size: 448, sigma: 0 }).sigma).toBe(0);
  });

  it('an unknown backbone uses its taps of stride ≥ 8 and the plain defaults', () => {
    expect(resolveSettings(other)).toMatchObject({ taps: ['c3', 'c4'], photometric: DEFAULT_SETTINGS.photometric });
  });

  it("returns fresh arrays (editing one engine's taps cannot change another's)", () => {
    const a = resolveSettings(inception);
    a.taps.push('x');
    expect(resolveSettings(inception).taps).toEqual(['mixed2', 'mixed7']);
  });
});

describe('bad settings', () => {
  it('an unknown resize mode is refused with every accepted mode named', () => {
    expect(() => validateSettings({ ...resolveSettings(mobilenet), resize: 'fit' as never }, 16)).toThrow(
      /resize "fit" must be 'pad', 'crop' or 'stretch'/,
    );
  });
});
