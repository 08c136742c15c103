// Inspections: one row per item judged at the bench, written before the verdict is announced.
import { z } from 'zod';
import type { Band, Verdict } from '../../shared/domain.d.ts';
import { optionalNumber, parseJsonColumn, requireOneOf, requireText, requireTime, toJson, type Db } from './common.ts';
import type { outboxRepo } from './outbox.ts';

/** Every verdict, for validation and the API's filters (tests/server/contract.test.ts checks none is missing). */
export const verdicts = ['pass', 'review', 'fail', 'unjudged'] as const satisfies readonly Verdict[];
export const reviewStatuses = ['none', 'pending', 'confirmed_defect', 'accepted_good'] as const;
export type ReviewStatus = (typeof reviewStatuses)[number];

/** A good reference item the inspected one resembles ("looks like these good ones"). */
export interface NearestReference {
  fileName: string;
  distance: number;
  [extra: string]: unknown;
}

const timingsColumn = z.record(z.string(), z.number());
const nearestColumn = z.array(z.looseObject({ fileName: z.string(), distance: z.number() }));

export interface Inspection {
  id: number;
  inspectedAt: number;
  productId: string;
  makerId: string | null;
  referenceSetId: number | null;
  /** null when the item could not be judged (verdict 'unjudged'). */
  score: number | null;
  verdict: Verdict;
  /** The tolerance band the item was judged by; null when it had none (verdict 'unjudged'). */
  band: Band | null;
  /** Milliseconds per stage, e.g. {embed: 41, score: 3}. */
  timings: Record<string, number>;
  nearest: NearestReference[];
  /** Relative to <dataDir>/evidence (see evidence.ts); null when absent or pruned. */
  framePath: string | null;
  heatmapPath: string | null;
  /** When retention deleted this row's evidence files; null while they exist. */
  evidencePrunedAt: number | null;
  reviewStatus: ReviewStatus;
  error: string | null;
}

export interface RecordInspectionInput {
  inspectedAt: number;
  productId: string;
  makerId?: string | null;
  referenceSetId?: number | null;
  score: number | null;
  verdict: Verdict;
  band?: Band | null;
  timings?: Record<string, number>;
  nearest?: NearestReference[];
  framePath?: string | null;
  heatmapPath?: string | null;
  error?: string | null;
}

export interface InspectionFilter {
  productId?: string;
  /** A maker id, or null for items inspected with no maker selected. */
  makerId?: string | null;
  verdict?: Verdict | Verdict[];
  reviewStatus?: ReviewStatus | ReviewStatus[];
  /** Inclusive lower bound on inspectedAt (ms epoch). */
  since?: number;
  /** Exclusive upper bound on inspectedAt (ms epoch). */
  until?: number;
}

export interface ListOptions extends InspectionFilter {
  limit?: number;
  offset?: number;
}

export type VerdictCounts = Record<Verdict, number>;

export interface ScorePoint {
  id: number;
  inspectedAt: number;
  makerId: string | null;
  score: number;
  verdict: Verdict;
}

export interface MakerStats {
  productId: string;
  makerId: string | null;
  since: number;
  until: number;
  total: number;
  counts: VerdictCounts;
  /** Judged items in time order, for control charts and histograms. */
  points: ScorePoint[];
}

const MAX_LIMIT = 10_000;

interface InspectionRow {
  id: number;
  inspected_at: number;
  product_id: string;
  maker_id: string | null;
  reference_set_id: number | null;
  score: number | null;
  verdict: Verdict;
  review_threshold: number | null;
  fail_threshold: number | null;
  timings_json: string;
  nearest_json: string;
  frame_path: string | null;
  heatmap_path: string | null;
  evidence_pruned_at: number | null;
  review_status: ReviewStatus;
  error: string | null;
}

function fromRow(r: InspectionRow): Inspection {
  return {
    id: r.id,
    inspectedAt: r.inspected_at,
    productId: r.product_id,
    makerId: r.maker_id,
    referenceSetId: r.reference_set_id,
    score: r.score,
    verdict: r.verdict,
    // The columns keep their first names; the band is one or nothing.
    band:
      r.review_threshold !== null && r.fail_threshold !== null
        ? { reviewAt: r.review_threshold, failAt: r.fail_threshold }
        : null,
    timings: parseJsonColumn(r.timings_json, timingsColumn, `inspections.timings_json of inspection ${r.id}`),
    nearest: parseJsonColumn(r.nearest_json, nearestColumn, `inspections.nearest_json of inspection ${r.id}`),
    framePath: r.frame_path,
    heatmapPath: r.heatmap_path,
    evidencePrunedAt: r.evidence_pruned_at,
    reviewStatus: r.review_status,
    error: r.error,
  };
}

const zeroCounts = (): VerdictCounts => ({ pass: 0, review: 0, fail: 0, unjudged: 0 });

/** WHERE clause + named parameters for a filter; values are always bound, never spliced. */
function whereOf(f: InspectionFilter): { sql: string; params: Record<string, unknown> } {
  const parts: string[] = [];
  const params: Record<string, unknown> = {};
  if (f.productId !== undefined) {
    parts.push('product_id = @productId');
    params.productId = f.productId;
  }
  if (f.makerId === null) parts.push('maker_id IS NULL');
  else if (f.makerId !== undefined) {
    parts.push('maker_id = @makerId');
    params.makerId = f.makerId;
  }
  const inList = (column: string, values: readonly string[], allowed: readonly string[], field: string) => {
    const names = values.map((v, i) => {
      requireOneOf(v, allowed, field);
      params[`${column}${i}`] = v;
      return `@${column}${i}`;
    });
    parts.push(names.length ? `${column} IN (${names.join(', ')})` : '0');
  };
  if (f.verdict !== undefined) inList('verdict', [f.verdict].flat(), verdicts, 'verdict filter');
  if (f.reviewStatus !== undefined) {
    inList('review_status', [f.reviewStatus].flat(), reviewStatuses, 'reviewStatus filter');
  }
  if (f.since !== undefined) {
    parts.push('inspected_at >= @since');
    params.since = requireTime(f.since, 'since');
  }
  if (f.until !== undefined) {
    parts.push('inspected_at < @until');
    params.until = requireTime(f.until, 'until');
  }
  return { sql: parts.length ? `WHERE ${parts.join(' AND ')}` : '', params };
}

/** Lookups that check an inspection names rows that exist. */
interface OwnerLookups {
  productExists: import('better-sqlite3').Statement;
  makerExists: import('better-sqlite3').Statement;
  refSetProduct: import('better-sqlite3').Statement;
}

/** Product, maker and reference set must exist, and the reference set must be the product's. */
function requireOwners(q: OwnerLookups, input: RecordInspectionInput) {
  const productId = requireText(input.productId, 'inspection productId');
  if (!q.productExists.get(productId)) {
    throw new Error(`inspection names product '${productId}', which is not in the store; add the product first`);
  }
  const makerId = input.makerId ?? null;
  if (makerId !== null && !q.makerExists.get(makerId)) {
    throw new Error(`inspection names maker '${makerId}', who is not in the store; add the maker first`);
  }
  const referenceSetId = input.referenceSetId ?? null;
  if (referenceSetId !== null) {
    const owner = q.refSetProduct.get(referenceSetId) as { productId: string } | undefined;
    if (!owner) throw new Error(`inspection names reference set id ${referenceSetId}, which does not exist`);
    if (owner.productId !== productId) {
      throw new Error(`reference set id ${referenceSetId} belongs to product '${owner.productId}', not '${productId}'`);
    }
  }
  return { productId, makerId, referenceSetId };
}

/** A judged item carries its score and the tolerance band it was judged by; an unjudged one may lack them. */
function requireJudgement(input: RecordInspectionInput) {
  const verdict = requireOneOf(input.verdict, verdicts, 'inspection verdict');
  const score = optionalNumber(input.score, 'inspection score');
  const reviewAt = optionalNumber(input.band?.reviewAt, 'inspection band.reviewAt');
  const failAt = optionalNumber(input.band?.failAt, 'inspection band.failAt');
  if (verdict !== 'unjudged' && (score === null || reviewAt === null || failAt === null)) {
    throw new Error(
      `a '${verdict}' inspection needs its score and tolerance band (reviewAt, failAt); ` +
        `record verdict 'unjudged' with score null when the item could not be judged`,
    );
  }
  return { verdict, score, reviewAt, failAt };
}

/** The insert statement's parameters for a checked inspection; review and fail start 'pending'. */
function insertParams(q: OwnerLookups, input: RecordInspectionInput) {
  const owners = requireOwners(q, input);
  const judgement = requireJudgement(input);
  return {
    inspectedAt: requireTime(input.inspectedAt, 'inspection inspectedAt'),
    ...owners,
    ...judgement,
    timings: toJson(input.timings ?? {}, 'inspection timings'),
    nearest: toJson(input.nearest ?? [], 'inspection nearest'),
    framePath: input.framePath ?? null,
    heatmapPath: input.heatmapPath ?? null,
    reviewStatus: judgement.verdict === 'review' || judgement.verdict === 'fail' ? 'pending' : 'none',
    error: input.error ?? null,
  };
}

export function inspectionsRepo(db: Db, outbox?: ReturnType<typeof outboxRepo>) {
  const owners: OwnerLookups = {
    productExists: db.prepare('SELECT 1 FROM products WHERE id = ?'),
    makerExists: db.prepare('SELECT 1 FROM makers WHERE id = ?'),
    refSetProduct: db.prepare('SELECT product_id AS productId FROM reference_sets WHERE id = ?'),
  };
  const insert = db.prepare(`
    INSERT INTO inspections
      (inspected_at, product_id, maker_id, reference_set_id, score, verdict, review_threshold, fail_threshold,
       timings_json, nearest_json, frame_path, heatmap_path, review_status, error)
    VALUES (@inspectedAt, @productId, @makerId, @referenceSetId, @score, @verdict, @reviewAt, @failAt,
       @timings, @nearest, @framePath, @heatmapPath, @reviewStatus, @error)
    RETURNING *`);
  const getStmt = db.prepare('SELECT * FROM inspections WHERE id = ?');
  const setStatus = db.prepare('UPDATE inspections SET review_status = ? WHERE id = ?');
  const markPruned = db.prepare(`
    UPDATE inspections SET frame_path = NULL, heatmap_path = NULL, evidence_pruned_at = @now
    WHERE inspected_at < @before AND (frame_path IS NOT NULL OR heatmap_path IS NOT NULL)`);

  // Checks and insert share one transaction, so a product cannot vanish in between.
  // The outbox entry too: the workshop network gets the inspection exactly as it was committed.
  const record = db.transaction((input: RecordInspectionInput): Inspection => {
    const inspection = fromRow(insert.get(insertParams(owners, input)) as InspectionRow);
    outbox?.add('inspection', inspection, inspection.inspectedAt);
    return inspection;
  });

  function countsByVerdict(filter: InspectionFilter = {}): VerdictCounts {
    const { sql, params } = whereOf(filter);
    const rows = db.prepare(`SELECT verdict, COUNT(*) AS n FROM inspections ${sql} GROUP BY verdict`).all(params) as {
      verdict: Verdict;
      n: number;
    }[];
    const counts = zeroCounts();
    for (const r of rows) counts[r.verdict] = r.n;
    return counts;
  }

  return {
    /** Commit one inspection (durable on return: WAL + synchronous=FULL). review/fail start 'pending'. */
    record: (input: RecordInspectionInput): Inspection => record.immediate(input),

    get(id: number): Inspection | undefined {
      const row = getStmt.get(id) as InspectionRow | undefined;
      return row && fromRow(row);
    },

    /** Newest first. */
    list(options: ListOptions = {}): Inspection[] {
      const { limit = 100, offset = 0, ...filter } = options;
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
        throw new Error(`limit must be an integer from 1 to ${MAX_LIMIT} (got ${limit})`);
      }
      if (!Number.isInteger(offset) || offset < 0) throw new Error(`offset must be an integer >= 0 (got ${offset})`);
      const { sql, params } = whereOf(filter);
      const rows = db
        .prepare(`SELECT * FROM inspections ${sql} ORDER BY inspected_at DESC, id DESC LIMIT @limit OFFSET @offset`)
        .all({ ...params, limit, offset }) as InspectionRow[];
      return rows.map(fromRow);
    },

    count(filter: InspectionFilter = {}): number {
      const { sql, params } = whereOf(filter);
      return (db.prepare(`SELECT COUNT(*) AS n FROM inspections ${sql}`).get(params) as { n: number }).n;
    },

    countsByVerdict,

    /** Verdict counts and scores over time for one product (and one maker, or all makers). */
    makerStats(q: { productId: string; makerId?: string | null; since: number; until: number }): MakerStats {
      const filter: InspectionFilter = {
        productId: requireText(q.productId, 'makerStats productId'),
        since: q.since,
        until: q.until,
      };
      if (q.makerId !== undefined) filter.makerId = q.makerId;
      const counts = countsByVerdict(filter);
      const { sql, params } = whereOf(filter);
      const rows = db
        .prepare(
          `SELECT id, inspected_at, maker_id, score, verdict FROM inspections ${sql} AND score IS NOT NULL
           ORDER BY inspected_at, id`,
        )
        .all(params) as Pick<InspectionRow, 'id' | 'inspected_at' | 'maker_id' | 'score' | 'verdict'>[];
      return {
        productId: q.productId,
        makerId: q.makerId ?? null,
        since: q.since,
        until: q.until,
        total: counts.pass + counts.review + counts.fail + counts.unjudged,
        counts,
        points: rows.map((r) => ({
          id: r.id,
          inspectedAt: r.inspected_at,
          makerId: r.maker_id,
          score: r.score as number,
          verdict: r.verdict,
        })),
      };
    },

    /** Verdict counts per maker for one product over a period (side-by-side comparison). */
    countsByMaker(q: {
      productId: string;
      since?: number;
      until?: number;
    }): { makerId: string | null; counts: VerdictCounts }[] {
      const { sql, params } = whereOf({ productId: q.productId, since: q.since, until: q.until });
      const rows = db
        .prepare(
          `SELECT maker_id, verdict, COUNT(*) AS n FROM inspections ${sql} GROUP BY maker_id, verdict ORDER BY maker_id`,
        )
        .all(params) as { maker_id: string | null; verdict: Verdict; n: number }[];
      const byMaker = new Map<string | null, VerdictCounts>();
      for (const r of rows) {
        const c = byMaker.get(r.maker_id) ?? zeroCounts();
        c[r.verdict] = r.n;
        byMaker.set(r.maker_id, c);
      }
      return [...byMaker].map(([makerId, counts]) => ({ makerId, counts }));
    },

    /** Used by reviews.add inside its transaction. */
    setReviewStatus(id: number, status: ReviewStatus): void {
      requireOneOf(status, reviewStatuses, 'review status');
      if (setStatus.run(status, id).changes !== 1) throw new Error(`inspection ${id} does not exist`);
    },

    /**
     * Retention: rows are kept forever, but rows older than `before` lose their evidence paths
     * (set to NULL) and get evidence_pruned_at = now. Returns the number of rows changed.
     */
    markEvidencePruned(before: number, now = Date.now()): number {
      return markPruned.run({ before: requireTime(before, 'before'), now }).changes;
    },
  };
}

export type InspectionsRepo = ReturnType<typeof inspectionsRepo>;
