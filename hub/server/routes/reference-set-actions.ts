/**
 * The lead's reference-set actions across the workshop:
 *
 *   POST /api/reference-sets/publish  {sha256, stations: [ids]}  send a set the hub holds to chosen benches
 *   POST /api/reference-sets/activate {sha256, station}          make a bench judge by a set it holds
 *   GET  /api/reference-sets/benches                             which set every bench runs, with each
 *                                                                publication's state and the bench's check
 *   GET  /api/reference-sets/held                                the sets the hub holds, which it can publish
 */
import { Router } from 'express';
import type { Pool } from 'pg';
import { HttpError, notFound } from '../../../web/http-error.ts';
import { COMMAND_VERSION } from '../../../station/network/commands.ts';
import type { SendCommand } from '../../commands.ts';
import { benchReferenceSets } from '../../db/benches.ts';
import { forgetSent, recordActivateSent, recordSent, referenceSetFile } from '../../db/deliveries.ts';
import { heldReferenceSets } from '../../db/queries/heldSets.ts';
import type {
  ActivateAnswer,
  BenchReferenceSetsResponse,
  HeldReferenceSetsResponse,
  PublishAnswer,
} from '../contract.d.ts';
import { activateBody, parseRequest, publishBody } from '../requests.ts';

async function knownStations(pool: Pool, ids: string[]): Promise<void> {
  const r = await pool.query('SELECT id FROM stations WHERE id = ANY($1)', [ids]);
  const known = new Set(r.rows.map((x) => x.id));
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length) throw notFound(`unknown station(s): ${unknown.join(', ')} (never seen by the hub)`);
}

export function referenceSetActionRoutes(pool: Pool, send: SendCommand): Router {
  const r = Router();

  r.post('/api/reference-sets/publish', async (req, res) => {
    const body = parseRequest(publishBody, req.body, 'body');
    const file = await referenceSetFile(pool, body.sha256);
    if (!file) throw notFound(`no reference set with sha256 ${body.sha256} has reached the hub`);
    const stations = [...new Set(body.stations)];
    await knownStations(pool, stations);
    const data = {
      productId: file.productId,
      sha256: file.sha256,
      band: file.band,
      backbone: { id: file.backboneId, sha256: file.modelSha256 },
      file: file.bytes.toString('base64'),
    };
    for (const id of stations) {
      await recordSent(pool, file.sha256, id, file.productId);
      try {
        await send(id, { v: COMMAND_VERSION, kind: 'publish_reference_set', at: Date.now(), data });
      } catch (err) {
        await forgetSent(pool, file.sha256, id);
        throw err;
      }
    }
    const answer: PublishAnswer = { productId: file.productId, sha256: file.sha256, sentTo: stations };
    res.status(202).json(answer);
  });

  r.post('/api/reference-sets/activate', async (req, res) => {
    const body = parseRequest(activateBody, req.body, 'body');
    await knownStations(pool, [body.station]);
    // Only a set the bench reported holding: the station would refuse anything else anyway, later and out of view.
    const held = await pool.query(
      'SELECT product_id, version FROM reference_set_versions WHERE station_id = $1 AND sha256 = $2 LIMIT 1',
      [body.station, body.sha256],
    );
    const row = held.rows[0];
    if (!row)
      throw new HttpError(
        409,
        `station ${body.station} has not reported holding reference set ${body.sha256.slice(0, 12)}…; publish it there and wait for its check`,
      );
    await send(body.station, {
      v: COMMAND_VERSION,
      kind: 'activate_reference_set',
      at: Date.now(),
      data: { productId: row.product_id, sha256: body.sha256 },
    });
    await recordActivateSent(pool, body.sha256, body.station);
    const answer: ActivateAnswer = { station: body.station, productId: row.product_id, version: row.version };
    res.status(202).json(answer);
  });

  r.get('/api/reference-sets/benches', async (_req, res) => {
    const body: BenchReferenceSetsResponse = await benchReferenceSets(pool);
    res.json(body);
  });

  r.get('/api/reference-sets/held', async (_req, res) => {
    const body: HeldReferenceSetsResponse = { sets: await heldReferenceSets(pool) };
    res.json(body);
  });
  return r;
}
