// Parsing of request input with one clear 400 message per bad field.
import { badRequest } from './http-error.ts';

type Query = Record<string, unknown>;

/** A single query value as text (repeated parameters are refused rather than guessed at). */
function single(q: Query, name: string): string | undefined {
  const v = q[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw badRequest(`query parameter '${name}' must be given once as plain text`);
  return v;
}

export function optionalId(q: Query, name: string): string | undefined {
  const v = single(q, name);
  if (v === undefined || v === '') return undefined;
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(v)) {
    throw badRequest(`'${name}' must be an id of letters, digits, '.', '_' or '-' (max 64), got ${JSON.stringify(v)}`);
  }
  return v;
}

export function optionalEnum<T extends string>(q: Query, name: string, allowed: readonly T[]): T | undefined {
  const v = single(q, name);
  if (v === undefined || v === '') return undefined;
  if (!allowed.includes(v as T))
    throw badRequest(`'${name}' must be one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`);
  return v as T;
}

export function optionalInt(q: Query, name: string, min: number, max: number): number | undefined {
  const v = single(q, name);
  if (v === undefined || v === '') return undefined;
  if (!/^-?\d+$/.test(v)) throw badRequest(`'${name}' must be a whole number, got ${JSON.stringify(v)}`);
  const n = Number(v);
  if (n < min || n > max) throw badRequest(`'${name}' must be between ${min} and ${max}, got ${n}`);
  return n;
}

/** A time as epoch milliseconds or an ISO 8601 date/time; returns epoch ms. */
export function optionalTime(q: Query, name: string): number | undefined {
  const v = single(q, name);
  if (v === undefined || v === '') return undefined;
  const n = /^\d+$/.test(v) ? Number(v) : /^\d{4}-\d{2}-\d{2}/.test(v) ? Date.parse(v) : NaN;
  if (!Number.isFinite(n)) {
    throw badRequest(
      `'${name}' must be epoch milliseconds or an ISO date like 2024-05-01T08:00:00Z, got ${JSON.stringify(v)}`,
    );
  }
  return n;
}

export function pathInt(value: unknown, name: string): number {
  if (typeof value !== 'string' || !/^\d{1,15}$/.test(value))
    throw badRequest(`${name} must be a positive whole number, got ${JSON.stringify(value)}`);
  return Number(value);
}

export function pathId(value: unknown, name: string): string {
  if (typeof value !== 'string') throw badRequest(`${name} must be a single path segment`);
  return (
    optionalId({ [name]: value }, name) ??
    (() => {
      throw badRequest(`${name} is required`);
    })()
  );
}

/** The JSON body as an object; anything else is a 400. */
export function bodyObject(body: unknown): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw badRequest('request body must be a JSON object (send Content-Type: application/json)');
  }
  return body as Record<string, unknown>;
}

export function bodyOptionalId(body: Record<string, unknown>, name: string): string | undefined {
  const v = body[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw badRequest(`'${name}' must be a string id`);
  return (
    optionalId({ [name]: v }, name) ??
    (() => {
      throw badRequest(`'${name}' must not be empty`);
    })()
  );
}

export function bodyOptionalText(body: Record<string, unknown>, name: string, maxLen: number): string | undefined {
  const v = body[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw badRequest(`'${name}' must be text`);
  if (v.length > maxLen) throw badRequest(`'${name}' must be at most ${maxLen} characters`);
  return v;
}

/** A comma-separated list of allowed values, e.g. verdict=review,fail. */
export function optionalEnumList<T extends string>(q: Query, name: string, allowed: readonly T[]): T[] | undefined {
  const v = single(q, name);
  if (v === undefined || v === '') return undefined;
  const items = v.split(',').map((s) => s.trim());
  for (const item of items) {
    if (!allowed.includes(item as T)) {
      throw badRequest(
        `'${name}' must be one or more of ${allowed.join(', ')} (comma-separated), got ${JSON.stringify(item)}`,
      );
    }
  }
  return items as T[];
}
