// The one-line message every file boundary gives: "<file> → <field> → <field>: must be …".
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { closedObject, issueLine, shown } from '../../station/schema/format.ts';

const line = (schema: z.ZodType, value: unknown) => {
  const r = schema.safeParse(value);
  if (r.success) throw new Error('expected a refusal');
  return issueLine('f.json', r.error);
};

describe('issueLine', () => {
  const item = closedObject({ w: z.number({ error: 'must be a number' }) });
  const file = closedObject(
    { name: z.string({ error: 'must be a string' }), items: z.array(item) },
    'must be a JSON object',
  );

  it('names the file, then each field on the way, list positions with their list', () => {
    expect(line(file, { name: 'a', items: [{ w: 1 }, { w: 'x' }] })).toBe('f.json → items[1] → w: must be a number');
    expect(line(file, { items: [] })).toBe('f.json → name: must be a string');
    expect(line(file, [1])).toBe('f.json: must be a JSON object (got [1])');
  });

  it('names an unknown field (with the allowed ones) before the field it was probably meant to be', () => {
    expect(line(file, { nmae: 'a', items: [] })).toBe('f.json: unknown field "nmae" (allowed: name, items)');
    expect(line(file, { name: 'a', items: [{ w: 1, h: 2 }] })).toBe(
      'f.json → items[0]: unknown field "h" (allowed: w)',
    );
  });
});

describe('shown', () => {
  it('shows values as JSON, absence as nothing, and keeps a line short', () => {
    expect(shown('a')).toBe('"a"');
    expect(shown(undefined)).toBe('nothing');
    expect(shown(Infinity)).toBe('Infinity');
    expect(shown('x'.repeat(500))).toHaveLength(118);
  });
});
