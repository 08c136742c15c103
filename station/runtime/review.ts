/**
 * A lead's decision on a review/fail item, however it reaches the bench: the station's own Review page
 * (server/routes/review.ts) and the hub's review_decision command (runtime/commands.ts) both go through here, so the
 * rules stay one. accept_good copies the inspected frame into calibration/<product>/good/ so the next calibration
 * includes it, and records its provenance in the same transaction as the review.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Log } from '../shared/domain.d.ts';
import { writeFileAtomic } from '../store/atomicWrite.ts';
import { resolveEvidence } from '../store/evidence.ts';
import type { AddReviewResult, Inspection, ReviewAction, ReviewStatus, Store } from '../store/index.ts';

/** Why a decision was not recorded: `unknown` (no such inspection here) or `conflict` (its state refuses it). */
export class ReviewRefused extends Error {
  constructor(
    readonly why: 'unknown' | 'conflict',
    message: string,
  ) {
    super(message);
    this.name = 'ReviewRefused';
  }
}

export interface ReviewDeps {
  store: {
    inspections: Pick<Store['inspections'], 'get'>;
    reviews: Pick<Store['reviews'], 'add' | 'conflict'>;
    calibrationImages: Pick<Store['calibrationImages'], 'bySha'>;
  };
  dataDir: string;
  calibrationDir: string;
  log: Pick<Log, 'info' | 'warn'>;
}

export interface ReviewDecision {
  inspectionId: number;
  action: ReviewAction;
  note?: string | null;
  userName: string;
  /** The review status the lead saw when deciding: refused if the item was decided since. */
  seenStatus?: ReviewStatus;
}

const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Folder of a product's accepted good images; refuses ids that could leave the calibration folder. */
export function goodFolder(calibrationDir: string, productId: string): string {
  if (!SAFE_ID.test(productId) || productId.includes('..')) {
    throw new ReviewRefused('conflict', `product id '${productId}' cannot be used as a folder name`);
  }
  return path.join(path.resolve(calibrationDir), productId, 'good');
}

/**
 * accept_good: the inspected frame is copied into the product's good folder, so the next calibration includes it.
 * Refused when there is no frame, it is already a calibration image, or the copy exists from an earlier accept.
 */
async function copyFrameToGood(
  d: ReviewDeps,
  id: number,
  row: Inspection,
): Promise<{ filePath: string; sha256: string }> {
  if (!row.framePath) {
    throw new ReviewRefused(
      'conflict',
      `inspection ${id} has no frame image (${row.evidencePrunedAt ? 'deleted by retention' : 'none was stored'}); it cannot be added to the calibration set`,
    );
  }
  const source = resolveEvidence(d.dataDir, row.framePath);
  if (!existsSync(source))
    throw new ReviewRefused('conflict', `the frame image of inspection ${id} is missing on disk (${row.framePath})`);
  const bytes = await readFile(source);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const already = d.store.calibrationImages.bySha(row.productId, sha256);
  if (already)
    throw new ReviewRefused(
      'conflict',
      `this image is already in the calibration set of '${row.productId}' as ${already.filePath}`,
    );
  const folder = goodFolder(d.calibrationDir, row.productId);
  const name = `inspection-${id}${path.extname(source) || '.jpg'}`;
  const target = path.join(folder, name);
  if (existsSync(target))
    throw new ReviewRefused('conflict', `${target} already exists; inspection ${id} was accepted before`);
  // Atomic: calibration never sees a half-written image; the bytes are the ones hashed above.
  await writeFileAtomic(target, bytes);
  // Absolute, like the rows calibration writes for folder images (it resolves paths against dataDir).
  return { filePath: target, sha256 };
}

/**
 * The store no longer counts these images as good; their copies leave the good folder too. Should a removal
 * fail, calibration still leaves the image out by its checksum (see calibrate/run.ts).
 */
async function removeWithdrawn(
  withdrawn: { filePath: string }[],
  id: number,
  userName: string,
  log: Pick<Log, 'info' | 'warn'>,
): Promise<void> {
  for (const img of withdrawn) {
    await rm(img.filePath, { force: true }).catch((err: unknown) =>
      log.warn(`could not remove ${img.filePath}: ${err instanceof Error ? err.message : String(err)}`),
    );
    log.info(`${img.filePath} taken out of calibration: inspection ${id} confirmed defective by ${userName}`);
  }
}

/** Records the decision (and its outbox event) or throws ReviewRefused with the reason; nothing half-done stays. */
export async function decideReview(d: ReviewDeps, r: ReviewDecision): Promise<AddReviewResult> {
  const { store, log } = d;
  const id = r.inspectionId;
  const row = store.inspections.get(id);
  if (!row) throw new ReviewRefused('unknown', `inspection ${id} does not exist`);
  // Checked again inside the store's transaction; here it keeps a refused decision from copying anything.
  const conflict = store.reviews.conflict(row, r.action, r.seenStatus);
  if (conflict) throw new ReviewRefused('conflict', conflict);

  const calibrationImage = r.action === 'accept_good' ? await copyFrameToGood(d, id, row) : undefined;
  const copied = calibrationImage?.filePath ?? null;
  let result: AddReviewResult;
  try {
    result = store.reviews.add({
      inspectionId: id,
      action: r.action,
      note: r.note ?? undefined,
      userName: r.userName,
      calibrationImage,
      seenStatus: r.seenStatus,
    });
  } catch (err) {
    // The database refused: take the copied image back out so folder and records agree.
    if (copied) await rm(copied, { force: true });
    throw new ReviewRefused('conflict', err instanceof Error ? err.message : String(err));
  }
  log.info(`review of inspection ${id}: ${r.action} by ${r.userName}`);
  await removeWithdrawn(result.withdrawn, id, r.userName, log);
  return result;
}
