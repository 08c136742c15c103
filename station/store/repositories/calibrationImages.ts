// Calibration images: provenance of the good images a product's reference sets are built from,
// in particular those a lead accepted from the review queue.
import { requireOneOf, requireText, type Db } from './common.ts';

export const calibrationSources = ['folder', 'review'] as const;
export type CalibrationSource = (typeof calibrationSources)[number];

export interface CalibrationImage {
  id: number;
  productId: string;
  filePath: string;
  sha256: string;
  source: CalibrationSource;
  inspectionId: number | null;
  createdAt: number;
  /** Set when a later review confirmed the item defective: the image left the calibration set. */
  withdrawnAt: number | null;
  withdrawnReason: string | null;
}

export interface CalibrationImageInput {
  productId: string;
  filePath: string;
  sha256: string;
  source: CalibrationSource;
  /** Required when source is 'review': the inspection the image came from. */
  inspectionId?: number | null;
}

interface Row {
  id: number;
  product_id: string;
  file_path: string;
  sha256: string;
  source: CalibrationSource;
  inspection_id: number | null;
  created_at: number;
  withdrawn_at: number | null;
  withdrawn_reason: string | null;
}

const fromRow = (r: Row): CalibrationImage => ({
  id: r.id,
  productId: r.product_id,
  filePath: r.file_path,
  sha256: r.sha256,
  source: r.source,
  inspectionId: r.inspection_id,
  createdAt: r.created_at,
  withdrawnAt: r.withdrawn_at,
  withdrawnReason: r.withdrawn_reason,
});

export function calibrationImagesRepo(db: Db) {
  const productExists = db.prepare('SELECT 1 FROM products WHERE id = ?');
  const inspectionOf = db.prepare('SELECT product_id AS productId FROM inspections WHERE id = ?');
  const bySha = db.prepare('SELECT * FROM calibration_images WHERE product_id = ? AND sha256 = ?');
  const insert = db.prepare(`
    INSERT INTO calibration_images (product_id, file_path, sha256, source, inspection_id, created_at)
    VALUES (@productId, @filePath, @sha256, @source, @inspectionId, @now) RETURNING *`);
  const listStmt = db.prepare('SELECT * FROM calibration_images WHERE product_id = ? ORDER BY created_at, id');
  const withdrawnStmt =
    db.prepare(`SELECT sha256, COALESCE(withdrawn_reason, 'withdrawn') AS reason FROM calibration_images
    WHERE product_id = ? AND withdrawn_at IS NOT NULL`);
  const ofInspection = db.prepare('SELECT * FROM calibration_images WHERE inspection_id = ? AND withdrawn_at IS NULL');
  const withdrawStmt = db.prepare(
    'UPDATE calibration_images SET withdrawn_at = ?, withdrawn_reason = ? WHERE id = ? AND withdrawn_at IS NULL',
  );

  return {
    /** Call inside a caller's transaction or alone; refuses duplicates by content hash per product. */
    add(input: CalibrationImageInput, now = Date.now()): CalibrationImage {
      const productId = requireText(input.productId, 'calibration image productId');
      if (!productExists.get(productId)) throw new Error(`product '${productId}' is not in the store`);
      const source = requireOneOf(input.source, calibrationSources, 'calibration image source');
      const sha256 = requireText(input.sha256, 'calibration image sha256');
      const inspectionId = input.inspectionId ?? null;
      if (source === 'review' && inspectionId === null) {
        throw new Error('a calibration image accepted from review must name its inspectionId');
      }
      if (inspectionId !== null) {
        const owner = inspectionOf.get(inspectionId) as { productId: string } | undefined;
        if (!owner) throw new Error(`inspection ${inspectionId} does not exist`);
        if (owner.productId !== productId) {
          throw new Error(`inspection ${inspectionId} is of product '${owner.productId}', not '${productId}'`);
        }
      }
      const existing = bySha.get(productId, sha256) as Row | undefined;
      if (existing) {
        throw new Error(
          `this image (sha256 ${sha256.slice(0, 12)}…) is already a calibration image of '${productId}' ` +
            `as ${existing.file_path}`,
        );
      }
      const row = insert.get({
        productId,
        filePath: requireText(input.filePath, 'calibration image filePath'),
        sha256,
        source,
        inspectionId,
        now,
      }) as Row;
      return fromRow(row);
    },
    bySha(productId: string, sha256: string): CalibrationImage | undefined {
      const row = bySha.get(productId, sha256) as Row | undefined;
      return row && fromRow(row);
    },
    /** Every image of the product, withdrawn ones included (they keep the record of what left and why). */
    list(productId: string): CalibrationImage[] {
      return (listStmt.all(productId) as Row[]).map(fromRow);
    },
    /** Checksum → why, for every image of the product a later review took out of calibration. */
    withdrawn(productId: string): Map<string, string> {
      return new Map(
        (withdrawnStmt.all(productId) as { sha256: string; reason: string }[]).map((r) => [r.sha256, r.reason]),
      );
    },
    /** The images an inspection put into calibration that are still in it. */
    ofInspection(inspectionId: number): CalibrationImage[] {
      return (ofInspection.all(inspectionId) as Row[]).map(fromRow);
    },
    /** Take an image out of calibration (call inside the caller's transaction); the row stays as the record. */
    withdraw(id: number, reason: string, now = Date.now()): void {
      withdrawStmt.run(now, requireText(reason, 'withdrawal reason'), id);
    },
  };
}

export type CalibrationImagesRepo = ReturnType<typeof calibrationImagesRepo>;
