import Database from 'better-sqlite3';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../station/store/db.ts';
import { currentSchemaVersion, latestSchemaVersion, migrate, migrations } from '../../station/store/migrations.ts';
import { versionBand } from '../../station/referenceSets/versions.ts';
import { freshStore, tempDir } from './helpers.ts';

const tables = (db: Database.Database) =>
  (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).all() as { name: string }[]).map(
    (r) => r.name,
  );

describe('migrations', () => {
  it('builds the whole schema from an empty folder', () => {
    const store = freshStore();
    expect(existsSync(path.join(store.dataDir, 'station.sqlite'))).toBe(true);
    expect(currentSchemaVersion(store.db)).toBe(latestSchemaVersion);
    expect(tables(store.db)).toEqual(
      expect.arrayContaining([
        'products',
        'makers',
        'reference_sets',
        'inspections',
        'reviews',
        'calibration_images',
        'users',
        'schema_version',
      ]),
    );
    const indexes = (store.db.prepare(`PRAGMA index_list('inspections')`).all() as { name: string }[]).map(
      (r) => r.name,
    );
    expect(indexes).toEqual(
      expect.arrayContaining(['inspections_time', 'inspections_product_maker_time', 'inspections_review_status']),
    );
    expect(store.integrityCheck()).toBe('ok');
  });

  it('opens with WAL, synchronous=FULL and foreign keys on', () => {
    const store = freshStore();
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(() =>
      store.db.prepare(`INSERT INTO makers (id, name, created_at) VALUES ('x', 'X', 0)`).run(),
    ).not.toThrow();
    expect(() =>
      store.db
        .prepare(
          `INSERT INTO inspections (inspected_at, product_id, verdict) VALUES (0, 'no-such-product', 'unjudged')`,
        )
        .run(),
    ).toThrow(/FOREIGN KEY/);
  });

  it('re-opening is idempotent and keeps the data', () => {
    const dir = tempDir();
    const first = openStore(dir);
    first.products.upsert({ id: 'tile', name: 'Glazed tile' });
    first.close();
    const second = openStore(dir);
    try {
      const versions = second.db.prepare('SELECT version FROM schema_version ORDER BY version').all() as {
        version: number;
      }[];
      expect(versions.map((v) => v.version)).toEqual(migrations.map((m) => m.version));
      expect(second.products.get('tile')?.name).toBe('Glazed tile');
      expect(second.integrityCheck()).toBe('ok');
    } finally {
      second.close();
    }
  });

  it('refuses a database written by newer software and leaves it untouched', () => {
    const dir = tempDir();
    const store = openStore(dir);
    store.db
      .prepare('INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)')
      .run(latestSchemaVersion + 5, 'from the future', Date.now());
    store.close();
    expect(() => openStore(dir)).toThrow(
      new RegExp(
        `schema version ${latestSchemaVersion + 5}, newer than this station software.*up to ${latestSchemaVersion}`,
      ),
    );
    const raw = new Database(path.join(dir, 'station.sqlite'), { readonly: true });
    try {
      expect(currentSchemaVersion(raw)).toBe(latestSchemaVersion + 5);
    } finally {
      raw.close();
    }
  });

  it('applies a migration list in one transaction: a failing step leaves nothing half-done', () => {
    const file = path.join(tempDir(), 'partial.sqlite');
    const db = new Database(file);
    try {
      const list = [
        { version: 1, name: 'one', sql: 'CREATE TABLE a (x INTEGER);' },
        { version: 2, name: 'two', sql: 'CREATE TABLE b (x INTEGER); INSERT INTO no_such_table VALUES (1);' },
      ];
      expect(() => migrate(db, file, list)).toThrow(/no such table/);
      expect(currentSchemaVersion(db)).toBe(0);
      expect(tables(db)).not.toContain('a');
      expect(tables(db)).not.toContain('b');
      expect(migrate(db, file, list.slice(0, 1))).toEqual([1]);
      expect(migrate(db, file, list.slice(0, 1))).toEqual([]);
      expect(() => migrate(db, file, [list[1]])).toThrow(/out of order/);
    } finally {
      db.close();
    }
  });

  it('names a file that is not a SQLite database', () => {
    const dir = tempDir();
    const file = path.join(dir, 'station.sqlite');
    writeFileSync(file, 'this is a shopping list, not a database\n'.repeat(200));
    expect(() => openStore(dir)).toThrow(`${file} is not a SQLite database`);
    expect(readFileSync(file, 'utf8').startsWith('this is a shopping list')).toBe(true);
  });

  it('names a data folder that cannot be used', () => {
    const dir = tempDir();
    const blocker = path.join(dir, 'not-a-folder');
    writeFileSync(blocker, 'x');
    expect(() => openStore(blocker)).toThrow(`data folder ${blocker} is a file, not a folder`);
    expect(() => openStore(path.join(blocker, 'data'))).toThrow(
      `data folder ${path.join(blocker, 'data')} cannot be created`,
    );
    expect(() => openStore('')).toThrow(/needs a dataDir/);
  });

  it.skipIf(process.getuid?.() === 0)('names a read-only data folder', async () => {
    const { chmodSync } = await import('node:fs');
    const dir = tempDir();
    chmodSync(dir, 0o555);
    try {
      expect(() => openStore(dir)).toThrow(`data folder ${dir} is not writable`);
    } finally {
      chmodSync(dir, 0o755);
    }
  });

  it('migration 3 turns a schema-2 row into an index with summary columns, the review threshold stored once', () => {
    const dir = tempDir();
    const file = path.join(dir, 'station.sqlite');
    // A schema-2 database as a format-1 calibration left it: review/fail beside band.reviewAt/failAt.
    const old = new Database(file);
    migrate(old, file, migrations.slice(0, 2));
    const band = { reviewAt: 0.5, failAt: 0.8, intervals: { reviewAt: [0.45, 0.55], failAt: [0.7, 0.9] }, n: 12 };
    old.prepare(`INSERT INTO products (id, name, created_at) VALUES ('tile', 'Glazed tile', 0)`).run();
    old
      .prepare(
        `INSERT INTO reference_sets (product_id, version, file_path, model_sha256, image_count, thresholds_json,
           report_json, is_active, created_at) VALUES ('tile', 1, 'reference-sets/tile/v1.refset', ?, 12, ?, ?, 1, 0)`,
      )
      .run(
        'ab'.repeat(32),
        JSON.stringify({
          review: 0.5,
          fail: 0.8,
          reviewInterval: [0.45, 0.55],
          failInterval: [0.7, 0.9],
          band,
          scoreModel: { kind: 'top', topShare: 0.25 },
        }),
        JSON.stringify({ band }),
      );
    old.close();

    const store = freshStore(dir);
    expect(currentSchemaVersion(store.db)).toBe(latestSchemaVersion);
    const row = store.referenceSets.active('tile')!;
    expect(row).toMatchObject({ version: 1, format: 1, scoreKind: 'top', backboneId: null, imageCount: 12 });
    expect(row.band).toEqual({
      reviewAt: 0.5,
      failAt: 0.8,
      reviewAtInterval: [0.45, 0.55],
      failAtInterval: [0.7, 0.9],
      scoreModel: { kind: 'top', topShare: 0.25 },
    });
    const raw = store.db.prepare('SELECT review_at, fail_at, thresholds_json FROM reference_sets').get() as {
      review_at: number;
      fail_at: number;
      thresholds_json: string;
    };
    expect([raw.review_at, raw.fail_at]).toEqual([0.5, 0.8]);
    expect(Object.keys(JSON.parse(raw.thresholds_json)).sort()).toEqual([
      'failInterval',
      'reviewInterval',
      'scoreModel',
    ]);
    // The old version still judges (a format-1 file: the row's band and score model).
    expect(versionBand(row, undefined, 'tile v1')).toEqual({
      reviewAt: 0.5,
      failAt: 0.8,
      scoreModel: { kind: 'top', topShare: 0.25 },
    });
    // New versions carry their summary: the database refuses a row without it, and a band upside down.
    const insert = (summary: string) =>
      store.db
        .prepare(
          `INSERT INTO reference_sets (product_id, version, file_path, model_sha256, image_count, thresholds_json,
             created_at${summary ? ', review_at, fail_at, score_kind' : ''}) VALUES ('tile', 2, 'x', 'y', 1, '{}', 0${summary})`,
        )
        .run();
    expect(() => insert('')).toThrow(/review_at, fail_at and score_kind are required/);
    expect(() => insert(", 0.9, 0.8, 'raw'")).toThrow(/CHECK constraint failed/);
    expect(() => insert(", 0.5, 0.8, 'median'")).toThrow(/CHECK constraint failed/);
    expect(() => insert(", 0.5, 0.8, 'raw'")).not.toThrow();
  });
});
