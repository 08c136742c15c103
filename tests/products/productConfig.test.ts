import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProductConfig, validateProductConfig } from '../../station/products/productConfig.ts';

const F = 'calibration/bowl/product.json';
const v = (raw: unknown, id = 'bowl') => validateProductConfig(raw, F, id);

describe('product.json', () => {
  it('fills defaults for a minimal file', () => {
    expect(v({ name: ' Walnut bowl ' })).toEqual({
      id: 'bowl',
      name: 'Walnut bowl',
      inputMode: 'stretch',
      tolerance: { failRate: 0.01, reviewRate: 0.1 },
      minGoodImages: 10,
      placedConsistently: false,
      regions: [],
      coresetSize: undefined,
      scoreTopShare: 0,
      seed: 1,
      roi: null,
      pins: {},
      latencyBudgetMs: 60,
      keepImages: [],
    });
  });
  it('keepImages is a list of image names', () => {
    expect(v({ name: 'B', keepImages: [' good/odd.jpg '] }).keepImages).toEqual(['good/odd.jpg']);
    expect(() => v({ name: 'B', keepImages: 'good/odd.jpg' })).toThrow(/keepImages: must be a list of image names/);
    expect(() => v({ name: 'B', keepImages: [''] })).toThrow(/keepImages/);
  });
  it('engine settings written in product.json are pinned (not searched); a written scoreTopShare is pinned too', () => {
    const c = v({
      name: 'Rod',
      engine: { backbone: 'inception_v3-features', inputSize: 448, aspect: 'native', augment: 'flips' },
      scoreTopShare: 0,
    });
    expect(c.pins).toEqual({
      backbone: 'inception_v3-features',
      size: 448,
      aspect: 'native',
      augment: 'flips',
      topShare: 0,
    });
    expect(v({ name: 'Rod' }).pins).toEqual({});
    expect(v({ name: 'Screw', engine: { pose: 'level' } }).pins).toEqual({ pose: 'level' });
  });
  it('a region of interest and a latency budget are checked and kept', () => {
    const c = v({ name: 'Rod', roi: { x: 0.3, y: 0, width: 0.4, height: 1 }, latencyBudgetMs: 120 });
    expect(c.roi).toEqual({ x: 0.3, y: 0, width: 0.4, height: 1 });
    expect(c.latencyBudgetMs).toBe(120);
  });
  it('bad engine pins, regions of interest and budgets name the field', () => {
    expect(() => v({ name: 'n', engine: { inputSize: 500 } })).toThrow(
      /engine → inputSize: must be the model input's long side, a multiple of 32/,
    );
    expect(() => v({ name: 'n', engine: { aspect: 'wide' } })).toThrow(/engine → aspect: must be "square" or "native"/);
    expect(() => v({ name: 'n', engine: { augment: 'twirl' } })).toThrow(
      /engine → augment: must be "none", "flips", "turns", "spin", "jitter"/,
    );
    expect(() => v({ name: 'n', engine: { colour: 1 } })).toThrow(/engine: unknown field "colour"/);
    expect(() => v({ name: 'n', engine: { pose: 'upright' } })).toThrow(/engine → pose: must be "none" or "level"/);
    expect(() => v({ name: 'n', engine: { pose: 'level' }, roi: { x: 0.2, y: 0, width: 0.6, height: 1 } })).toThrow(
      /pose "level" turns the whole photo, so it cannot be used with a roi/,
    );
    expect(() => v({ name: 'n', roi: { x: 0.7, y: 0, width: 0.5, height: 1 } })).toThrow(
      /roi: x \+ width and y \+ height must not exceed 1/,
    );
    expect(() => v({ name: 'n', roi: { x: 0, y: 0, width: 0.5 } })).toThrow(/roi → height: is required/);
    expect(() => v({ name: 'n', latencyBudgetMs: 0 })).toThrow(/latencyBudgetMs: must be a number of milliseconds/);
  });
  it('keeps every valid setting', () => {
    const c = v({
      $schema: '../product.schema.json',
      name: 'Tile',
      inputMode: 'crop',
      tolerance: { failRate: 0.02, reviewRate: 0.05 },
      minGoodImages: 15,
      placedConsistently: true,
      coresetSize: 2000,
      scoreTopShare: 0.1,
      seed: 9,
      regions: [
        { name: 'glaze pool', x: 0.1, y: 0.2, w: 0.3, h: 0.4, tolerance: 2 },
        { x: 0, y: 0, w: 0.1, h: 0.1, ignore: true },
      ],
    });
    expect(c).toMatchObject({
      inputMode: 'crop',
      minGoodImages: 15,
      placedConsistently: true,
      coresetSize: 2000,
      scoreTopShare: 0.1,
      seed: 9,
    });
    expect(v({ name: 'Long tile', inputMode: 'stretch' }).inputMode).toBe('stretch');
    expect(c.regions).toEqual([
      { name: 'glaze pool', x: 0.1, y: 0.2, w: 0.3, h: 0.4, tolerance: 2 },
      { x: 0, y: 0, w: 0.1, h: 0.1, ignore: true },
    ]);
  });

  const bad: [string, unknown, RegExp][] = [
    ['not an object', [1], /must hold a JSON object/],
    ['missing name', {}, /product\.json → name: is required/],
    ['empty name', { name: '  ' }, /name: must be a non-empty string/],
    [
      'unknown field',
      { name: 'x', colour: 'red' },
      /product\.json: unknown field "colour" \(allowed: name, inputMode,/,
    ],
    ['bad input mode', { name: 'x', inputMode: 'fit' }, /inputMode: must be "pad", "crop" or "stretch" \(got "fit"\)/],
    ['tolerance not object', { name: 'x', tolerance: 0.01 }, /tolerance: must be an object/],
    ['typo in tolerance', { name: 'x', tolerance: { failrate: 0.01 } }, /tolerance: unknown field "failrate"/],
    [
      'failRate as percent',
      { name: 'x', tolerance: { failRate: 1 } },
      /tolerance → failRate: must be a number in \(0, 0.5\)/,
    ],
    ['failRate string', { name: 'x', tolerance: { failRate: '1%' } }, /tolerance → failRate/],
    ['reviewRate negative', { name: 'x', tolerance: { reviewRate: -0.1 } }, /tolerance → reviewRate/],
    ['minGoodImages too small', { name: 'x', minGoodImages: 2 }, /minGoodImages: must be a whole number ≥ 3/],
    [
      'placedConsistently string',
      { name: 'x', placedConsistently: 'yes' },
      /placedConsistently: must be true or false/,
    ],
    ['regions not list', { name: 'x', regions: {} }, /regions: must be a list/],
    [
      'region out of range',
      { name: 'x', regions: [{ x: 0, y: 0, w: 1.5, h: 1, tolerance: 2 }] },
      /regions\[0\] → w: must be a number in \[0, 1\]/,
    ],
    [
      'region overflows',
      { name: 'x', regions: [{ x: 0.6, y: 0, w: 0.6, h: 1, tolerance: 2 }] },
      /regions\[0\] → w: x \+ w must not exceed 1/,
    ],
    [
      'region without tolerance',
      { name: 'x', regions: [{ x: 0, y: 0, w: 1, h: 1 }] },
      /regions\[0\]: needs "tolerance"/,
    ],
    [
      'region zero tolerance',
      { name: 'x', regions: [{ x: 0, y: 0, w: 1, h: 1, tolerance: 0 }] },
      /regions\[0\] → tolerance: must be a number in \(0, 100\]/,
    ],
    ['coresetSize tiny', { name: 'x', coresetSize: 3 }, /coresetSize: must be a whole number from 16/],
    [
      'scoreTopShare beyond half',
      { name: 'x', scoreTopShare: 0.6 },
      /scoreTopShare: must be a number from 0 \(the most deviating spot\) to 0.5 \(got 0.6\)/,
    ],
    ['scoreTopShare as percent text', { name: 'x', scoreTopShare: '10%' }, /scoreTopShare: must be a number/],
    ['seed fractional', { name: 'x', seed: 1.5 }, /seed: must be a whole number/],
  ];
  for (const [what, raw, msg] of bad) {
    it(`${what}: names the file and field`, () => {
      expect(() => v(raw)).toThrow(msg);
      expect(() => v(raw)).toThrow(F);
    });
  }
  it('refuses a folder name that cannot be a product id', () => {
    expect(() => v({ name: 'x' }, 'my bowl!')).toThrow(/product folder name "my bowl!"/);
  });
  it('missing file and invalid JSON', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'product-'));
    expect(() => loadProductConfig(path.join(dir, 'product.json'), 'bowl')).toThrow(
      /product.json is missing: create it/,
    );
    writeFileSync(path.join(dir, 'product.json'), '{"name": "x",}');
    expect(() => loadProductConfig(path.join(dir, 'product.json'), 'bowl')).toThrow(/product.json is not valid JSON/);
  });
});
