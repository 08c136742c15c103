/**
 * POST /api/review/:station/:id {action, note?} — a lead decides a borderline item from the hub. The decision is a
 * review_decision command to the item's bench, which holds its full evidence and records it as its own lead's
 * (by "<lead>@hub"); the hub keeps the request as sent and changes nothing else: the item leaves the pending list
 * when the bench's review event arrives, or shows the bench's reason when it refuses.
 */
import { Router } from 'express';
import type { Pool } from 'pg';
import { userOf } from '../../../web/auth/index.ts';
import { HttpError, notFound } from '../../../web/http-error.ts';
import { COMMAND_VERSION, hubUserName } from '../../../station/network/commands.ts';
import type { SendCommand } from '../../commands.ts';
import { forgetDecisionSent, recordDecisionSent } from '../../db/reviewRequests.ts';
import type { ReviewDecisionAnswer } from '../contract.d.ts';
import { parseRequest, reviewDecisionBody, reviewParams } from '../requests.ts';

export function reviewDecisionRoutes(pool: Pool, send: SendCommand): Router {
  const r = Router();
  r.post('/api/review/:station/:id', async (req, res) => {
    const { station, id } = parseRequest(reviewParams, req.params, 'path');
    const { action, note } = parseRequest(reviewDecisionBody, req.body, 'body');
    const found = await pool.query('SELECT review_status FROM inspections WHERE station_id = $1 AND id = $2', [
      station,
      id,
    ]);
    const item = found.rows[0];
    if (!item) throw notFound(`inspection ${id} of ${station} has not reached the hub`);
    // What the hub already knows is decided: the bench would refuse it, later and out of view.
    if (action !== 'note' && item.review_status !== 'pending')
      throw new HttpError(
        409,
        `inspection ${id} of ${station} was already decided at the bench (${String(item.review_status).replace('_', ' ')})`,
      );
    const lead = userOf(res).name;
    const userName = hubUserName(lead);
    const text = note?.trim() ? note.trim() : null;
    const now = Date.now();
    await recordDecisionSent(pool, { station, inspectionId: id, action, note: text, userName }, now);
    try {
      await send(station, {
        v: COMMAND_VERSION,
        kind: 'review_decision',
        at: now,
        data: { inspectionId: id, action, note: text, lead, decidedAt: now },
      });
    } catch (err) {
      await forgetDecisionSent(pool, station, id, now);
      throw err;
    }
    const answer: ReviewDecisionAnswer = { station, inspectionId: id, action, userName, state: 'sent' };
    res.status(202).json(answer);
  });
  return r;
}
