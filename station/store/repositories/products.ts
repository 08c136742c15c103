// Products: the kinds of item the workshop makes (a glazed tile, a turned bowl).
import { z } from 'zod';
import { namedRows, parseJsonColumn, requireText, toJson, type Db } from './common.ts';

export interface Product {
  id: string;
  name: string;
  settings: Record<string, unknown>;
  createdAt: number;
}

export interface ProductInput {
  id: string;
  name: string;
  settings?: Record<string, unknown>;
}

interface ProductRow {
  id: string;
  name: string;
  settings_json: string;
  created_at: number;
}

function fromRow(r: ProductRow): Product {
  return {
    id: r.id,
    name: r.name,
    settings: parseJsonColumn(
      r.settings_json,
      z.record(z.string(), z.unknown()),
      `products.settings_json of product '${r.id}'`,
    ),
    createdAt: r.created_at,
  };
}

export function productsRepo(db: Db) {
  const upsertStmt = db.prepare(`
    INSERT INTO products (id, name, settings_json, created_at) VALUES (@id, @name, @settings, @now)
    ON CONFLICT(id) DO UPDATE SET name = excluded.name, settings_json = excluded.settings_json
    RETURNING *`);
  return {
    ...namedRows(db, 'products', fromRow),
    /** Create the product, or update its name and settings (created_at is kept). */
    upsert(input: ProductInput, now = Date.now()): Product {
      const row = upsertStmt.get({
        id: requireText(input.id, 'product id'),
        name: requireText(input.name, `name of product '${input.id}'`),
        settings: toJson(input.settings ?? {}, `settings of product '${input.id}'`),
        now,
      }) as ProductRow;
      return fromRow(row);
    },
  };
}

export type ProductsRepo = ReturnType<typeof productsRepo>;
