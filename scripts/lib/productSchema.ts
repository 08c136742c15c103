/**
 * calibration/product.schema.json, generated from the zod schema that validates product.json
 * (station/products/productConfig.ts): `npm run schema:product` writes it, tests/products/schemaDoc.test.ts
 * fails while the committed file differs.
 */
import path from 'node:path';
import { z } from 'zod';
import { productFileSchema } from '../../station/products/productConfig.ts';

export const PRODUCT_SCHEMA_FILE = path.resolve(import.meta.dirname, '../../calibration/product.schema.json');

const LINE_WIDTH = 120; // biome.jsonc

/**
 * JSON laid out as Biome formats it (objects one key a line, a list of plain values on one line when it fits), so
 * `npm run format` leaves the generated file as it is. `column` is where the value starts on its line.
 */
function layout(value: unknown, indent: string, column: number): string {
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const flat = `[${value.map((v) => JSON.stringify(v)).join(', ')}]`;
    // +1 for the comma that may follow
    if (value.every((v) => v === null || typeof v !== 'object') && column + flat.length + 1 <= LINE_WIDTH) return flat;
    return `[\n${value.map((v) => inner + layout(v, inner, inner.length)).join(',\n')}\n${indent}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 0) return '{}';
    const lines = entries.map(([k, v]) => {
      const head = `${inner}${JSON.stringify(k)}: `;
      return head + layout(v, inner, head.length);
    });
    return `{\n${lines.join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value);
}

/** The file's text. */
export function productSchemaText(): string {
  const schema = z.toJSONSchema(productFileSchema, {
    // The file as written: fields with defaults are optional.
    io: 'input',
    override: ({ jsonSchema: s }) => {
      // zod states JavaScript's safe-integer range on every whole number; no reader of the file needs it.
      if (s.minimum === Number.MIN_SAFE_INTEGER) delete s.minimum;
      if (s.maximum === Number.MAX_SAFE_INTEGER) delete s.maximum;
    },
  });
  // Heading keys first, as a reader opens the file.
  const { $schema, $id, title, description, ...body } = schema;
  return `${layout({ $schema, $id, title, description, ...body }, '', 0)}\n`;
}
