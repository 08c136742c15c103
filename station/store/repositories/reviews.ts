// Reviews: what a lead decided about an inspection, by whom and when. Adding one also moves the
// inspection's review_status in the same transaction, so the queue and the history never disagree.
import { calibrationImagesRepo, type CalibrationImage } from './calibrationImages.ts';
import { inspectionsRepo, type Inspection, type ReviewStatus } from './inspections.ts';
import { requireOneOf, requireText, type Db } from './common.ts';
import type { outboxRepo } from './outbox.ts';

export const reviewActions = ['confirm_defect', 'accept_good', 'note'] as const;
export type ReviewAction = (typeof reviewActions)[number];

export interface Review {
  id: number;
  inspectionId: number;
  action: ReviewAction;
  note: string | null;
  userName: string;
  createdAt: number;
}

export interface AddReviewInput {
  inspectionId: number;
  action: ReviewAction;
  note?: string | null;
  userName: string;
  /** For 'accept_good': the image already copied into calibration/<product>/good/. */
  calibrationImage?: { filePath: string; sha256: string };
  /** The review status the lead saw when deciding: refused if the item was decided since (see decisionConflict). */
  seenStatus?: ReviewStatus;
}

export interface AddReviewResult {
  review: Review;
  inspection: Inspection;
  calibrationImage: CalibrationImage | null;
  /** Images this decision took out of calibration (a defect confirmed after it was accepted): remove their files. */
  withdrawn: CalibrationImage[];
}

/**
 * Why a decision cannot be recorded, or null. A decision acts on the item as the lead saw it: if its status
 * changed since, the lead must look again. Deciding the same way twice is refused; a confirmed defect is never
 * accepted as good variation. Confirming a defect on an accepted item is allowed: it takes the image back out.
 */
export function decisionConflict(
  inspectionId: number,
  current: ReviewStatus,
  action: ReviewAction,
  seen?: ReviewStatus,
  decidedBy?: string,
): string | null {
  if (action === 'note') return null; // a note changes nothing a later decision rests on
  const by = decidedBy ? ` by ${decidedBy}` : '';
  if (seen !== undefined && seen !== current) {
    return `inspection ${inspectionId} changed since it was shown (it is now ${current.replace('_', ' ')}${by}); look at it again before deciding`;
  }
  if (action === 'accept_good' && current === 'accepted_good')
    return `inspection ${inspectionId} was already accepted as good variation${by}`;
  if (action === 'confirm_defect' && current === 'confirmed_defect')
    return `inspection ${inspectionId} was already confirmed defective${by}`;
  if (action === 'accept_good' && current === 'confirmed_defect') {
    return `inspection ${inspectionId} was confirmed defective${by}: a confirmed defect is not accepted as good variation`;
  }
  return null;
}

interface Row {
  id: number;
  inspection_id: number;
  action: ReviewAction;
  note: string | null;
  user_name: string;
  created_at: number;
}

const fromRow = (r: Row): Review => ({
  id: r.id,
  inspectionId: r.inspection_id,
  action: r.action,
  note: r.note,
  userName: r.user_name,
  createdAt: r.created_at,
});

const statusAfter: Record<ReviewAction, ReviewStatus | null> = {
  confirm_defect: 'confirmed_defect',
  accept_good: 'accepted_good',
  note: null, // a note leaves the status as it was
};

export function reviewsRepo(db: Db, outbox?: ReturnType<typeof outboxRepo>) {
  const inspections = inspectionsRepo(db);
  const calibrationImages = calibrationImagesRepo(db);
  const insert = db.prepare(`
    INSERT INTO reviews (inspection_id, action, note, user_name, created_at)
    VALUES (@inspectionId, @action, @note, @userName, @now) RETURNING *`);
  const forInspection = db.prepare('SELECT * FROM reviews WHERE inspection_id = ? ORDER BY created_at, id');
  const recent = db.prepare('SELECT * FROM reviews ORDER BY created_at DESC, id DESC LIMIT ?');

  const conflictFor = (target: Inspection, action: ReviewAction, seen?: ReviewStatus): string | null => {
    const decidedBy = (forInspection.all(target.id) as Row[]).filter((r) => r.action !== 'note').at(-1)?.user_name;
    return decisionConflict(target.id, target.reviewStatus, action, seen, decidedBy);
  };

  const add = db.transaction((input: AddReviewInput, now: number): AddReviewResult => {
    const action = requireOneOf(input.action, reviewActions, 'review action');
    const userName = requireText(input.userName, 'review userName');
    const target = inspections.get(input.inspectionId);
    if (!target) throw new Error(`inspection ${input.inspectionId} does not exist; nothing to review`);
    const conflict = conflictFor(target, action, input.seenStatus);
    if (conflict) throw new Error(conflict);
    const note = input.note?.trim() ? input.note.trim() : null;
    if (action === 'note' && note === null) throw new Error(`a 'note' review needs non-empty note text`);
    if (input.calibrationImage && action !== 'accept_good') {
      throw new Error(`only 'accept_good' can add a calibration image (action was '${action}')`);
    }
    const review = fromRow(insert.get({ inspectionId: target.id, action, note, userName, now }) as Row);
    const status = statusAfter[action];
    if (status) inspections.setReviewStatus(target.id, status);
    const calibrationImage = input.calibrationImage
      ? calibrationImages.add(
          { productId: target.productId, ...input.calibrationImage, source: 'review', inspectionId: target.id },
          now,
        )
      : null;
    // A defect confirmed after the item was accepted: its image leaves calibration (the row stays as the record).
    const withdrawn = action === 'confirm_defect' ? calibrationImages.ofInspection(target.id) : [];
    for (const img of withdrawn)
      calibrationImages.withdraw(img.id, `inspection ${target.id} confirmed defective by ${userName}`, now);
    const inspection = inspections.get(target.id) as Inspection;
    outbox?.add(
      'review',
      {
        review,
        inspectionId: inspection.id,
        reviewStatus: inspection.reviewStatus,
        trainsOn: calibrationImage !== null,
      },
      now,
    );
    return { review, inspection, calibrationImage, withdrawn };
  });

  return {
    add: (input: AddReviewInput, now = Date.now()): AddReviewResult => add.immediate(input, now),
    /** Why this decision would be refused now (see decisionConflict), or null; add() checks it again in its transaction. */
    conflict(inspection: Inspection, action: ReviewAction, seen?: ReviewStatus): string | null {
      return conflictFor(inspection, action, seen);
    },
    forInspection(inspectionId: number): Review[] {
      return (forInspection.all(inspectionId) as Row[]).map(fromRow);
    },
    recent(limit = 50): Review[] {
      return (recent.all(limit) as Row[]).map(fromRow);
    },
  };
}

export type ReviewsRepo = ReturnType<typeof reviewsRepo>;
