// Reference sets: versioned sets of good items per product. Versions are kept forever;
// exactly zero or one is active per product (a partial unique index guards it too).
// A row indexes its .refset file and summarises it: from format 2 the file holds the tolerance band and score model
// (the truth), and the row's review_at / fail_at / score_kind only summarise them for lists and the dashboard.
import { z } from 'zod';
import type { Band } from '../../shared/domain.d.ts';
import { optionalNumber, parseJsonColumn, requireOneOf, requireText, toJson, type Db } from './common.ts';
import type { outboxRepo } from './outbox.ts';

/** The tolerance band a version is stored with: its edges (strict, as in verdict/judge.ts) and what else the row keeps. */
export interface StoredBand extends Band {
  /** Uncertainty of each edge (e.g. a bootstrap interval), [low, high]. */
  reviewAtInterval?: [number, number];
  failAtInterval?: [number, number];
  /** Format-1 versions only, as stored (checked where it is used): format 2 keeps it in the file. */
  scoreModel?: unknown;
}

export const SCORE_KINDS = ['raw', 'top', 'region', 'pair'] as const;
export type ScoreKind = (typeof SCORE_KINDS)[number];

/** One version of a product's reference set as the store indexes it (the set itself is its .refset file). */
export interface ReferenceSetVersion {
  id: number;
  productId: string;
  version: number;
  filePath: string;
  modelSha256: string;
  imageCount: number;
  band: StoredBand;
  report: Record<string, unknown>;
  isActive: boolean;
  createdAt: number;
  /** The file's format: 1 = band and score model in this row, 2 = in the file. */
  format: number;
  scoreKind: ScoreKind;
  /** Backbone id the set was built with (null for versions recorded before it was kept). */
  backboneId: string | null;
}

export interface AddVersionInput {
  productId: string;
  /** Defaults to the next free version number for the product. */
  version?: number;
  filePath: string;
  modelSha256: string;
  imageCount: number;
  band: StoredBand;
  report?: Record<string, unknown>;
  /** Default 1. From 2 the file carries the band and score model, and `band` only summarises them. */
  format?: number;
  /** Default: the kind of band.scoreModel, else 'raw'. */
  scoreKind?: ScoreKind;
  backboneId?: string;
}

interface VersionRow {
  id: number;
  product_id: string;
  version: number;
  file_path: string;
  model_sha256: string;
  image_count: number;
  thresholds_json: string;
  report_json: string;
  is_active: number;
  created_at: number;
  format: number;
  review_at: number | null;
  fail_at: number | null;
  score_kind: ScoreKind | null;
  backbone_id: string | null;
}

const interval = z.tuple([z.number(), z.number()]);
/**
 * thresholds_json, as the database spells it: the band's intervals (reviewInterval, failInterval) and (format 1) its
 * score model; rows from before migration 3 also review and fail, which later rows keep in review_at / fail_at.
 */
const thresholdsColumn = z.looseObject({
  review: z.number().optional(),
  fail: z.number().optional(),
  reviewInterval: interval.optional(),
  failInterval: interval.optional(),
  scoreModel: z.unknown().optional(),
});

/** The one place the row's columns and thresholds_json become the version's band. */
function bandOf(r: VersionRow, where: string): StoredBand {
  const j = parseJsonColumn(r.thresholds_json, thresholdsColumn, `reference_sets.thresholds_json of ${where}`);
  return {
    reviewAt: r.review_at ?? Number(j.review),
    failAt: r.fail_at ?? Number(j.fail),
    ...(j.reviewInterval ? { reviewAtInterval: j.reviewInterval } : {}),
    ...(j.failInterval ? { failAtInterval: j.failInterval } : {}),
    ...(j.scoreModel !== undefined ? { scoreModel: j.scoreModel } : {}),
  };
}

/** …and the band becomes thresholds_json again: what the review_at / fail_at columns do not hold. */
function thresholdsJson(band: StoredBand, where: string): string {
  const { reviewAtInterval, failAtInterval, scoreModel } = band;
  return toJson(
    { reviewInterval: reviewAtInterval, failInterval: failAtInterval, scoreModel },
    `tolerance band of ${where}`,
  );
}

function fromRow(r: VersionRow): ReferenceSetVersion {
  const where = `reference set ${r.product_id} v${r.version}`;
  return {
    id: r.id,
    productId: r.product_id,
    version: r.version,
    filePath: r.file_path,
    modelSha256: r.model_sha256,
    imageCount: r.image_count,
    band: bandOf(r, where),
    report: parseJsonColumn(r.report_json, z.record(z.string(), z.unknown()), `reference_sets.report_json of ${where}`),
    isActive: r.is_active === 1,
    createdAt: r.created_at,
    format: r.format,
    scoreKind: r.score_kind ?? 'raw',
    backboneId: r.backbone_id,
  };
}

function checkBand(band: StoredBand, where: string): void {
  if (!band || typeof band !== 'object') throw new Error(`band of ${where} must be an object {reviewAt, failAt}`);
  const reviewAt = optionalNumber(band.reviewAt, `band.reviewAt of ${where}`);
  const failAt = optionalNumber(band.failAt, `band.failAt of ${where}`);
  if (reviewAt === null || failAt === null) throw new Error(`band of ${where} needs both reviewAt and failAt numbers`);
  if (reviewAt > failAt) throw new Error(`band of ${where}: reviewAt (${reviewAt}) must not exceed failAt (${failAt})`);
}

export function referenceSetsRepo(db: Db, outbox?: ReturnType<typeof outboxRepo>) {
  const productExists = db.prepare('SELECT 1 FROM products WHERE id = ?');
  const maxVersion = db.prepare('SELECT MAX(version) AS v FROM reference_sets WHERE product_id = ?');
  const insert = db.prepare(`
    INSERT INTO reference_sets
      (product_id, version, file_path, model_sha256, image_count, thresholds_json, report_json, is_active, created_at,
       format, review_at, fail_at, score_kind, backbone_id)
    VALUES (@productId, @version, @filePath, @modelSha256, @imageCount, @thresholdsJson, @report, 0, @now,
       @format, @reviewAt, @failAt, @scoreKind, @backboneId)
    RETURNING *`);
  const byVersion = db.prepare('SELECT * FROM reference_sets WHERE product_id = ? AND version = ?');
  const byId = db.prepare('SELECT * FROM reference_sets WHERE id = ?');
  const activeStmt = db.prepare('SELECT * FROM reference_sets WHERE product_id = ? AND is_active = 1');
  const listStmt = db.prepare('SELECT * FROM reference_sets WHERE product_id = ? ORDER BY version');
  const deactivateAll = db.prepare('UPDATE reference_sets SET is_active = 0 WHERE product_id = ? AND is_active = 1');
  const activateOne = db.prepare('UPDATE reference_sets SET is_active = 1 WHERE id = ?');

  const nextVersion = (productId: string): number => ((maxVersion.get(productId) as { v: number | null }).v ?? 0) + 1;

  const addVersion = db.transaction((input: AddVersionInput, now: number): ReferenceSetVersion => {
    const productId = requireText(input.productId, 'reference set productId');
    if (!productExists.get(productId)) {
      throw new Error(`product '${productId}' is not in the store; add the product before its reference sets`);
    }
    const version = input.version ?? nextVersion(productId);
    const where = `reference set ${productId} v${version}`;
    if (!Number.isInteger(version) || version < 1) throw new Error(`version of ${where} must be an integer >= 1`);
    if (byVersion.get(productId, version)) {
      throw new Error(`${where} already exists; versions are never overwritten, use version ${nextVersion(productId)}`);
    }
    if (!Number.isInteger(input.imageCount) || input.imageCount < 0) {
      throw new Error(`imageCount of ${where} must be a non-negative integer (got ${input.imageCount})`);
    }
    checkBand(input.band, where);
    const format = input.format ?? 1;
    if (!Number.isInteger(format) || format < 1) throw new Error(`format of ${where} must be an integer >= 1`);
    const modelKind = (input.band.scoreModel as { kind?: unknown } | undefined)?.kind;
    const scoreKind = requireOneOf(input.scoreKind ?? modelKind ?? 'raw', SCORE_KINDS, `scoreKind of ${where}`);
    const row = insert.get({
      productId,
      version,
      filePath: requireText(input.filePath, `filePath of ${where}`),
      modelSha256: requireText(input.modelSha256, `modelSha256 of ${where}`),
      imageCount: input.imageCount,
      // The edges live in their columns only; thresholds_json keeps the rest.
      thresholdsJson: thresholdsJson(input.band, where),
      report: toJson(input.report ?? {}, `report of ${where}`),
      now,
      format,
      reviewAt: input.band.reviewAt,
      failAt: input.band.failAt,
      scoreKind,
      backboneId: input.backboneId ?? null,
    }) as VersionRow;
    const added = fromRow(row);
    // The summary travels, not the report: the file itself goes only where a lead sends it.
    const { report: _report, filePath: _file, ...summary } = added;
    outbox?.add('reference_set_version', summary, now);
    return added;
  });

  // A pair's second backbone is named in its report (see CalibrationReport.partner): it must be loaded too.
  const activeModels = db.prepare(`
    SELECT model_sha256 FROM reference_sets WHERE is_active = 1
    UNION
    SELECT json_extract(report_json, '$.partner.modelSha256') FROM reference_sets
    WHERE is_active = 1 AND json_valid(report_json) AND json_type(report_json, '$.partner.modelSha256') = 'text'`);

  // Both updates commit together or not at all, so a crash never leaves a product with none or two active.
  const activate = db.transaction((productId: string, version: number): ReferenceSetVersion => {
    const row = byVersion.get(productId, version) as VersionRow | undefined;
    if (!row) {
      const have = (listStmt.all(productId) as VersionRow[]).map((r) => r.version);
      throw new Error(
        `reference set ${productId} v${version} does not exist` +
          (have.length ? ` (versions: ${have.join(', ')})` : ` (product '${productId}' has no reference sets yet)`),
      );
    }
    deactivateAll.run(productId);
    activateOne.run(row.id);
    outbox?.add('reference_set_activated', { productId, version, referenceSetId: row.id });
    return fromRow({ ...row, is_active: 1 });
  });

  return {
    nextVersion,
    addVersion: (input: AddVersionInput, now = Date.now()): ReferenceSetVersion => addVersion.immediate(input, now),
    activate: (productId: string, version: number): ReferenceSetVersion => activate.immediate(productId, version),
    active(productId: string): ReferenceSetVersion | undefined {
      const row = activeStmt.get(productId) as VersionRow | undefined;
      return row && fromRow(row);
    },
    get(id: number): ReferenceSetVersion | undefined {
      const row = byId.get(id) as VersionRow | undefined;
      return row && fromRow(row);
    },
    getVersion(productId: string, version: number): ReferenceSetVersion | undefined {
      const row = byVersion.get(productId, version) as VersionRow | undefined;
      return row && fromRow(row);
    },
    list(productId: string): ReferenceSetVersion[] {
      return (listStmt.all(productId) as VersionRow[]).map(fromRow);
    },
    /** The backbone checksums the products' active versions were built with (the station loads those). */
    activeModelSha256s(): string[] {
      return (activeModels.all() as { model_sha256: string }[]).map((r) => r.model_sha256);
    },
  };
}

export type ReferenceSetsRepo = ReturnType<typeof referenceSetsRepo>;
