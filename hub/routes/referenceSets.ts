/**
 * The lead's reference-set actions across the workshop (not yet behind a login: the hub's lead sessions are being
 * added beside this, and mount this router behind them):
 *
 *   POST /publish  {sha256, stations: [ids]}  send a set the hub holds to chosen benches, each to keep and check
 *   POST /activate {sha256, station}          make a bench judge by a set it holds
 *   GET  /benches                             which set every bench runs, with each publication's state and check
 */
import express, { type NextFunction, type Request, type Response, Router } from 'express';
import type { Pool } from 'pg';
import { z } from 'zod';
import { COMMAND_VERSION, SHA256 } from '../../station/network/commands.ts';
import { STATION_ID } from '../../station/network/topics.ts';
import { BrokerUnavailable, type SendCommand } from '../commands.ts';
import { benchReferenceSets } from '../db/benches.ts';
import { forgetSent, recordActivateSent, recordSent, referenceSetFile } from '../db/deliveries.ts';

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const sha256 = z.string().regex(SHA256, 'must be a sha256 in lowercase hex');
const station = z.string().regex(STATION_ID, "must be a station id (letters, digits, '-' or '_')");
const publishBody = z.strictObject({ sha256, stations: z.array(station).min(1, 'name at least one station') });
const activateBody = z.strictObject({ sha256, station });

function parse<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const r = schema.safeParse(body);
  if (!r.success)
    throw new HttpError(400, r.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
  return r.data;
}

async function knownStations(pool: Pool, ids: string[]): Promise<void> {
  const r = await pool.query('SELECT id FROM stations WHERE id = ANY($1)', [ids]);
  const known = new Set(r.rows.map((x) => x.id));
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length) throw new HttpError(404, `unknown station(s): ${unknown.join(', ')} (never seen by the hub)`);
}

const wrap =
  (fn: (req: Request, res: Response) => Promise<void>) =>
  (req: Request, res: Response, next: NextFunction): void => {
    fn(req, res).catch(next);
  };

export function referenceSetRoutes(deps: { pool: Pool; send: SendCommand }): Router {
  const { pool, send } = deps;
  const router = Router();
  router.use(express.json({ limit: '64kb' }));

  router.post(
    '/publish',
    wrap(async (req, res) => {
      const body = parse(publishBody, req.body);
      const file = await referenceSetFile(pool, body.sha256);
      if (!file) throw new HttpError(404, `no reference set with sha256 ${body.sha256} has reached the hub`);
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
      res.status(202).json({ productId: file.productId, sha256: file.sha256, sentTo: stations });
    }),
  );

  router.post(
    '/activate',
    wrap(async (req, res) => {
      const body = parse(activateBody, req.body);
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
      res.status(202).json({ station: body.station, productId: row.product_id, version: row.version });
    }),
  );

  router.get(
    '/benches',
    wrap(async (_req, res) => {
      res.json(await benchReferenceSets(pool));
    }),
  );

  router.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof HttpError) res.status(err.status).json({ error: err.message });
    else if (err instanceof BrokerUnavailable) res.status(503).json({ error: err.message });
    else if ((err as { type?: string }).type === 'entity.parse.failed')
      res.status(400).json({ error: 'the body is not JSON' });
    else res.status(500).json({ error: (err as Error).message });
  });
  return router;
}
