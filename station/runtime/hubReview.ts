/**
 * A hub lead's review decision (the review_decision command) applied at the bench: through the same decideReview as
 * the station's own Review page, with the same rules for accept_good's calibration image, by "<lead>@hub". The
 * station recorded it (its review event leaves through the outbox) or answers review_refused with the reason; either
 * way the hub hears back, however long the bench was offline.
 */
import { type CommandData, hubUserName } from '../network/commands.ts';
import type { EventData } from '../network/messages.ts';
import { decideReview, type ReviewDeps, ReviewRefused } from './review.ts';

export async function reviewFromHub(
  d: ReviewDeps & { store: ReviewDeps['store'] & { outbox: { add(kind: 'review_refused', payload: object): number } } },
  c: CommandData<'review_decision'>,
): Promise<void> {
  const userName = hubUserName(c.lead);
  try {
    // The lead decided an item the hub listed as pending: one decided at the bench since is refused, not overwritten.
    await decideReview(d, {
      inspectionId: c.inspectionId,
      action: c.action,
      note: c.note,
      userName,
      seenStatus: c.action === 'note' ? undefined : 'pending',
    });
  } catch (err) {
    const known = err instanceof ReviewRefused;
    const reason = known
      ? err.why === 'unknown'
        ? `inspection ${c.inspectionId} is not on this bench`
        : err.message
      : `the bench could not record it: ${(err as Error).message}`;
    d.log.warn(`workshop network: ${c.action} of inspection ${c.inspectionId} by ${userName} refused: ${reason}`);
    d.store.outbox.add('review_refused', {
      inspectionId: c.inspectionId,
      action: c.action,
      userName,
      reason,
    } satisfies EventData<'review_refused'>);
  }
}
