/**
 * One line per refused file, the same for every boundary (station config, product.json, model manifests, reference
 * sets): "<file> → <field> → <field>: must be …". The "must be …" text is each schema's own (set with `error:` where
 * the schema is declared); this room only assembles the line and supplies the closed objects every schema uses.
 */
import { z } from 'zod';

/** A value for a message: JSON as the file spells it, cut short so one line stays one line. */
export function shown(v: unknown): string {
  const s = typeof v === 'number' && !Number.isFinite(v) ? String(v) : JSON.stringify(v);
  if (s === undefined) return 'nothing';
  return s.length > 120 ? `${s.slice(0, 117)}…` : s;
}

/** The message for a value that is not what a field takes: "must be <what> (got <value>)". */
export const mustBe =
  (what: string) =>
  (iss: { input?: unknown }): string =>
    `must be ${what} (got ${shown(iss.input)})`;

/** "is required: …" for an absent field, "must be … (got …)" for a wrong one. */
export const want =
  (what: string) =>
  (iss: { input?: unknown }): string =>
    iss.input === undefined ? `is required: ${what}` : mustBe(what)(iss);

/** `["regions", 0, "w"]` → `regions[0] → w`: list positions stay with their list, as a reader writes them. */
function fieldPath(path: readonly PropertyKey[]): string[] {
  const parts: string[] = [];
  for (const p of path) {
    if (typeof p === 'number' && parts.length > 0) parts[parts.length - 1] += `[${p}]`;
    else parts.push(String(p));
  }
  return parts;
}

/** The line for a failed parse: where the problem is and what the field must be. */
export function issueLine(where: string, error: z.ZodError): string {
  // A misspelt key also leaves its correct spelling missing: name the misspelling, which is the cause.
  const issue = error.issues.find((i) => i.code === 'unrecognized_keys') ?? error.issues[0];
  return `${[where, ...fieldPath(issue.path)].join(' → ')}: ${issue.message}`;
}

/**
 * An object that refuses keys it does not declare (a typo must not silently fall back to a default), naming the
 * allowed ones. `notAnObject` is the message for anything that is not an object at all.
 */
export function closedObject<S extends z.core.$ZodLooseShape>(shape: S, notAnObject = 'must be an object') {
  // "$schema" (an editor hint in product.json) is allowed but not worth suggesting.
  const allowed = Object.keys(shape)
    .filter((k) => !k.startsWith('$'))
    .join(', ');
  return z.strictObject(shape, {
    error: (iss) =>
      iss.code === 'unrecognized_keys'
        ? `unknown field ${iss.keys.map((k) => `"${k}"`).join(', ')} (allowed: ${allowed})`
        : `${notAnObject} (got ${shown(iss.input)})`,
  });
}
