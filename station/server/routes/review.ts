// POST /api/inspections/:id/review — a lead's decision on a review/fail item.
// accept_good copies the inspected frame into calibration/<product>/good/ so the next
// calibration includes it, and records its provenance in the same transaction as the review.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { Router } from 'express';
import type { Inspection } from '../../store/repositories/inspections.ts';
import { resolveEvidence } from '../../store/evidence.ts';
import { writeFileAtomic } from '../../store/atomicWrite.ts';
import { userOf, type Auth, LEAD_ROLES } from '../auth/index.ts';
import { HttpError, notFound } from '../http-error.ts';
import type { Log } from '../../shared/domain.d.ts';
import type { ServerStore } from '../types.ts';
import { parseRequest, pathNumber, reviewBody } from '../requests.ts';
import { inspectionView } from '../views.ts';

const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Folder of a product's accepted good images; refuses ids that could leave the calibration folder. */
export function goodFolder(calibrationDir: string, productId: string): string {
  if (!SAFE_ID.test(productId) || productId.includes('..')) {
    throw new HttpError(409, `product id '${productId}' cannot be used as a folder name`);
  }
  return path.join(path.resolve(calibrationDir), productId, 'good');
}

/**
 * accept_good: the inspected frame is copied into the product's good folder, so the next calibration includes it.
 * Refused (409) when there is no frame, it is already a calibration image, or the copy exists from an earlier accept.
 */
async function copyFrameToGood(
  store: ServerStore,
  dataDir: string,
  calibrationDir: string,
  id: number,
  row: Inspection,
): Promise<{ filePath: string; sha256: string }> {
  if (!row.framePath) {
    throw new HttpError(
      409,
      `inspection ${id} has no frame image (${row.evidencePrunedAt ? 'deleted by retention' : 'none was stored'}); it cannot be added to the calibration set`,
    );
  }
  const source = resolveEvidence(dataDir, row.framePath);
  if (!existsSync(source))
    throw new HttpError(409, `the frame image of inspection ${id} is missing on disk (${row.framePath})`);
  const bytes = await readFile(source);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const already = store.calibrationImages.bySha(row.productId, sha256);
  if (already)
    throw new HttpError(
      409,
      `this image is already in the calibration set of '${row.productId}' as ${already.filePath}`,
    );
  const folder = goodFolder(calibrationDir, row.productId);
  const name = `inspection-${id}${path.extname(source) || '.jpg'}`;
  const target = path.join(folder, name);
  if (existsSync(target)) throw new HttpError(409, `${target} already exists; inspection ${id} was accepted before`);
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

export function reviewRoutes(deps: {
  store: ServerStore;
  dataDir: string;
  calibrationDir: string;
  auth: Auth;
  log: Pick<Log, 'info' | 'warn'>;
}): Router {
  const { store, dataDir, calibrationDir, auth, log } = deps;
  const r = Router();

  r.post('/api/inspections/:id/review', auth.requireRole(LEAD_ROLES), async (req, res) => {
    const id = parseRequest(pathNumber, req.params.id, 'inspection id');
    const { action, note: givenNote, seenStatus } = parseRequest(reviewBody, req.body, 'body');
    const note = givenNote ?? undefined;
    const user = userOf(res);
    const row = store.inspections.get(id);
    if (!row) throw notFound(`inspection ${id} does not exist`);
    // Checked again inside the store's transaction; here it keeps a refused decision from copying anything.
    const conflict = store.reviews.conflict(row, action, seenStatus);
    if (conflict) throw new HttpError(409, conflict);

    const calibrationImage =
      action === 'accept_good' ? await copyFrameToGood(store, dataDir, calibrationDir, id, row) : undefined;
    const copied = calibrationImage?.filePath ?? null;
    try {
      const result = store.reviews.add({
        inspectionId: id,
        action,
        note,
        userName: user.name,
        calibrationImage,
        seenStatus,
      });
      log.info(`review of inspection ${id}: ${action} by ${user.name}`);
      await removeWithdrawn(result.withdrawn, id, user.name, log);
      res.json({
        review: result.review,
        inspection: inspectionView(store, result.inspection),
        calibrationImage: result.calibrationImage,
        withdrawn: result.withdrawn.map((w) => w.filePath),
      });
    } catch (err) {
      // The database refused: take the copied image back out so folder and records agree.
      if (copied) await rm(copied, { force: true });
      throw new HttpError(409, err instanceof Error ? err.message : String(err));
    }
  });

  return r;
}
