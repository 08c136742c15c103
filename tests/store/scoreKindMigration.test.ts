// Migration 6 widens the reference-set row's score kind to 'pair' (SQLite re-adds the column to widen its CHECK):
// every row keeps its kind, inspections keep their reference set, and the summary is still required.
import Database from 'better-sqlite3';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../station/store/db.ts';
import { migrate, migrations } from '../../station/store/migrations.ts';
import { tempDir } from './helpers.ts';

describe('score kind migration (6)', () => {
  it("keeps every row's kind and its inspections, and takes a pair", () => {
    const dir = tempDir();
    const file = path.join(dir, 'station.sqlite');
    const raw = new Database(file);
    migrate(raw, file, migrations.slice(0, 5));
    raw.prepare(`INSERT INTO products (id, name, created_at) VALUES ('tile', 'Tile', 1)`).run();
    const addVersion = raw.prepare(`
      INSERT INTO reference_sets (product_id, version, file_path, model_sha256, image_count, thresholds_json, report_json,
        is_active, created_at, format, review_at, fail_at, score_kind)
      VALUES ('tile', ?, ?, 'ab', 3, '{}', '{}', ?, 1, 2, 1, 2, ?)`);
    addVersion.run(1, 'tile/v1.refset', 0, 'raw');
    addVersion.run(2, 'tile/v2.refset', 1, 'top');
    expect(() => addVersion.run(3, 'tile/v3.refset', 0, 'pair')).toThrow(/CHECK constraint/);
    raw
      .prepare(
        `INSERT INTO inspections (inspected_at, product_id, reference_set_id, verdict, score, review_threshold,
           fail_threshold, timings_json, nearest_json) VALUES (5, 'tile', 2, 'pass', 0.5, 1, 2, '{}', '[]')`,
      )
      .run();
    raw.close();

    const store = openStore(dir);
    try {
      expect(store.referenceSets.list('tile').map((v) => [v.version, v.scoreKind])).toEqual([
        [1, 'raw'],
        [2, 'top'],
      ]);
      expect(store.inspections.list({ productId: 'tile' }).map((i) => i.referenceSetId)).toEqual([
        store.referenceSets.active('tile')!.id,
      ]);
      const pair = store.referenceSets.addVersion({
        productId: 'tile',
        filePath: 'tile/v3.refset',
        modelSha256: 'ab',
        imageCount: 3,
        format: 2,
        scoreKind: 'pair',
        band: { reviewAt: 1, failAt: 2 },
        report: { partner: { modelId: 'inception_v3-features', modelSha256: 'cd' } },
      });
      expect(pair.scoreKind).toBe('pair');
      store.referenceSets.activate('tile', 3);
      expect(store.referenceSets.activeModelSha256s().sort()).toEqual(['ab', 'cd']);
      // The insert trigger came back: a row without its summary is refused.
      expect(() =>
        store.db
          .prepare(
            `INSERT INTO reference_sets (product_id, version, file_path, model_sha256, image_count, thresholds_json,
               report_json, is_active, created_at) VALUES ('tile', 9, 'x', 'ab', 1, '{}', '{}', 0, 1)`,
          )
          .run(),
      ).toThrow(/review_at, fail_at and score_kind are required/);
      expect(store.integrityCheck()).toBe('ok');
    } finally {
      store.close();
    }
  });
});
