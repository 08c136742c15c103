import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PRODUCT_SCHEMA_FILE, productSchemaText } from '../../scripts/lib/productSchema.ts';
import { validateProductConfig } from '../../station/products/productConfig.ts';

const text = readFileSync(PRODUCT_SCHEMA_FILE, 'utf8');
const schema = JSON.parse(text);

describe('calibration/product.schema.json documents what the validator accepts', () => {
  it("is the file generated from the validator's schema (run `npm run schema:product` after changing it)", () => {
    expect(text).toBe(productSchemaText());
  });
  it('its examples pass the validator', () => {
    expect(schema.examples.length).toBeGreaterThan(0);
    for (const ex of schema.examples) expect(() => validateProductConfig(ex, 'example', 'x')).not.toThrow();
  });
  it('every documented field is accepted and every other field refused', () => {
    const full = {
      name: 'n',
      inputMode: 'crop',
      tolerance: { failRate: 0.02, reviewRate: 0.05 },
      minGoodImages: 12,
      placedConsistently: true,
      regions: [{ name: 'r', x: 0, y: 0, w: 1, h: 1, tolerance: 2, ignore: false }],
      coresetSize: 100,
      scoreTopShare: 0.1,
      seed: 2,
      $schema: 'x',
      roi: { x: 0, y: 0, width: 1, height: 1 },
      latencyBudgetMs: 80,
      keepImages: ['good/odd.jpg'],
      engine: { backbone: 'mobilenet_v2-features', inputSize: 448, aspect: 'native', augment: 'none', pose: 'none' },
    };
    // roi may also be null (no region of interest): its object form is the first choice.
    const roi = schema.properties.roi.anyOf.find((s: { type: string }) => s.type === 'object');
    expect(Object.keys(full).sort()).toEqual(Object.keys(schema.properties).sort());
    expect(Object.keys(full.tolerance).sort()).toEqual(Object.keys(schema.properties.tolerance.properties).sort());
    expect(Object.keys(full.regions[0]).sort()).toEqual(Object.keys(schema.properties.regions.items.properties).sort());
    expect(Object.keys(full.engine).sort()).toEqual(Object.keys(schema.properties.engine.properties).sort());
    expect(Object.keys(full.roi).sort()).toEqual(Object.keys(roi.properties).sort());
    expect(() => validateProductConfig(full, 'f', 'x')).not.toThrow();
    expect(() => validateProductConfig({ ...full, roi: null }, 'f', 'x')).not.toThrow();
    expect(() => validateProductConfig({ ...full, extra: 1 }, 'f', 'x')).toThrow(/unknown field/);
    for (const nested of ['tolerance', 'engine', 'roi'] as const) {
      expect(() => validateProductConfig({ ...full, [nested]: { ...full[nested], extra: 1 } }, 'f', 'x')).toThrow(
        `f → ${nested}: unknown field "extra"`,
      );
    }
    expect(() => validateProductConfig({ ...full, regions: [{ ...full.regions[0], extra: 1 }] }, 'f', 'x')).toThrow(
      'f → regions[0]: unknown field "extra"',
    );
  });
  it('documented defaults are the validator defaults', () => {
    const c = validateProductConfig({ name: 'n' }, 'f', 'x');
    expect(c.inputMode).toBe(schema.properties.inputMode.default);
    expect(c.tolerance.failRate).toBe(schema.properties.tolerance.properties.failRate.default);
    expect(c.tolerance.reviewRate).toBe(schema.properties.tolerance.properties.reviewRate.default);
    expect(c.minGoodImages).toBe(schema.properties.minGoodImages.default);
    expect(c.placedConsistently).toBe(schema.properties.placedConsistently.default);
    expect(c.regions).toEqual(schema.properties.regions.default);
    expect(c.scoreTopShare).toBe(schema.properties.scoreTopShare.default);
    expect(c.seed).toBe(schema.properties.seed.default);
    expect(c.latencyBudgetMs).toBe(schema.properties.latencyBudgetMs.default);
    expect(c.keepImages).toEqual(schema.properties.keepImages.default);
  });
});
