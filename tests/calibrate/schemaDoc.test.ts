import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateProductConfig } from '../../station/calibrate/productConfig.ts';

const schemaFile = path.resolve(import.meta.dirname, '../../calibration/product.schema.json');
const schema = JSON.parse(readFileSync(schemaFile, 'utf8'));

describe('calibration/product.schema.json documents what the validator accepts', () => {
  it('its examples pass the validator', () => {
    for (const ex of schema.examples) expect(() => validateProductConfig(ex, 'example', 'x')).not.toThrow();
  });
  it('every documented field is accepted and every other field refused', () => {
    const full = {
      name: 'n', inputMode: 'crop', tolerance: { failRate: 0.02, reviewRate: 0.05 }, minGoodImages: 12, placedConsistently: true,
      regions: [{ name: 'r', x: 0, y: 0, w: 1, h: 1, tolerance: 2, ignore: false }], coresetSize: 100, scoreTopShare: 0.1, seed: 2, $schema: 'x',
      roi: { x: 0, y: 0, width: 1, height: 1 }, latencyBudgetMs: 80, keepImages: ['good/odd.jpg'],
      engine: { backbone: 'mobilenet_v2-features', inputSize: 448, aspect: 'native', augment: 'none' },
    };
    expect(Object.keys(full).sort()).toEqual(Object.keys(schema.properties).sort());
    expect(Object.keys(full.tolerance).sort()).toEqual(Object.keys(schema.properties.tolerance.properties).sort());
    expect(Object.keys(full.regions[0]).sort()).toEqual(Object.keys(schema.properties.regions.items.properties).sort());
    expect(Object.keys(full.engine).sort()).toEqual(Object.keys(schema.properties.engine.properties).sort());
    expect(Object.keys(full.roi).sort()).toEqual(Object.keys(schema.properties.roi.properties).sort());
    expect(() => validateProductConfig(full, 'f', 'x')).not.toThrow();
    expect(() => validateProductConfig({ ...full, extra: 1 }, 'f', 'x')).toThrow(/unknown field/);
  });
  it('documented defaults are the validator defaults', () => {
    const c = validateProductConfig({ name: 'n' }, 'f', 'x');
    expect(c.inputMode).toBe(schema.properties.inputMode.default);
    expect(c.tolerance.failRate).toBe(schema.properties.tolerance.properties.failRate.default);
    expect(c.tolerance.reviewRate).toBe(schema.properties.tolerance.properties.reviewRate.default);
    expect(c.minGoodImages).toBe(schema.properties.minGoodImages.default);
    expect(c.placedConsistently).toBe(schema.properties.placedConsistently.default);
    expect(c.seed).toBe(schema.properties.seed.default);
    expect(c.latencyBudgetMs).toBe(schema.properties.latencyBudgetMs.default);
    expect(c.keepImages).toEqual(schema.properties.keepImages.default);
  });
});
