// Small helpers shared by the repositories: JSON columns and input checks with clear messages.
import type { z } from 'zod';
import { issueLine } from '../../schema/format.ts';

export type Db = import('better-sqlite3').Database;

/**
 * Parse a *_json column against the shape it must have; a corrupt or foreign value names the table, row and column
 * (and the field) instead of a bare SyntaxError or a wrong value travelling on.
 */
export function parseJsonColumn<S extends z.ZodType>(text: string, schema: S, where: string): z.output<S> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Error(`${where} holds invalid JSON; the row was edited outside the station or is damaged`);
  }
  const r = schema.safeParse(raw);
  if (!r.success) throw new Error(`${issueLine(where, r.error)}; the row was edited outside the station or is damaged`);
  return r.data;
}

export function toJson(value: unknown, field: string): string {
  const text = JSON.stringify(value ?? null);
  if (text === undefined) throw new Error(`${field} cannot be stored as JSON`);
  return text;
}

export function requireText(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new Error(`${field} must be a non-empty string (got ${JSON.stringify(value)})`);
  }
  return value;
}

export function requireTime(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new Error(`${field} must be a millisecond epoch integer (got ${JSON.stringify(value)})`);
  }
  return value;
}

export function requireOneOf<T extends string>(value: unknown, allowed: readonly T[], field: string): T {
  if (!allowed.includes(value as T)) {
    throw new Error(`${field} must be one of ${allowed.join(', ')} (got ${JSON.stringify(value)})`);
  }
  return value as T;
}

export function optionalNumber(value: unknown, field: string): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new Error(`${field} must be a finite number or null (got ${JSON.stringify(value)})`);
  }
  return value;
}

/** Lookup by id and the list by name: the part of the makers' and products' repositories that is the same. */
export function namedRows<Row, T>(db: Db, table: 'makers' | 'products', fromRow: (r: Row) => T) {
  const getStmt = db.prepare(`SELECT * FROM ${table} WHERE id = ?`);
  const listStmt = db.prepare(`SELECT * FROM ${table} ORDER BY name, id`);
  return {
    get(id: string): T | undefined {
      const row = getStmt.get(id) as Row | undefined;
      return row && fromRow(row);
    },
    list(): T[] {
      return (listStmt.all() as Row[]).map(fromRow);
    },
  };
}
