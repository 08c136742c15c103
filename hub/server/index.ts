// The hub's web server: the workshop dashboard's pages and their JSON API over PostgreSQL, behind a lead login
// (the shared sessions, CSRF and login limits of web/auth/, over the hub_users table). Only /healthz, the login page
// and what it needs (its script, styles, /api/session, /api/login) answer without one.
import type { Server } from 'node:http';
import express from 'express';
import type { Pool } from 'pg';
import { type Auth, type AuthOptions, createAuth, LEAD_ROLES } from '../../web/auth/index.ts';
import { errorHandler, HttpError } from '../../web/http-error.ts';
import { securityHeaders } from '../../web/securityHeaders.ts';
import { hubUsers } from '../db/users.ts';
import type { SendCommand } from '../commands.ts';
import type { IngestStats } from '../ingest.ts';
import { hubPageRoutes } from './pages.ts';
import { benchRoutes } from './routes/benches.ts';
import { makerRoutes } from './routes/makers.ts';
import { referenceSetActionRoutes } from './routes/reference-set-actions.ts';
import { referenceSetRoutes } from './routes/reference-sets.ts';
import { reviewDecisionRoutes } from './routes/review-decisions.ts';
import { reviewRoutes } from './routes/review.ts';
import { stationRoutes } from './routes/stations.ts';

export const HUB_SESSION_COOKIE = 'hub_session';

export interface HubServerOptions extends AuthOptions {
  pool: Pool;
  ingest: { stats(): IngestStats };
  /** Sends a bench a command over the broker (publishing and activating reference sets, review decisions). */
  send: SendCommand;
  log: { warn(msg: string): void; error(msg: string, extra?: Record<string, unknown>): void };
  /** Defaults to the project's dashboard/ folder. */
  dashboardDir?: string;
}

export interface HubServer {
  app: express.Express;
  auth: Auth;
  listen(port: number, host: string): Promise<Server>;
  close(): Promise<void>;
}

export function createHubServer(o: HubServerOptions): HubServer {
  const app = express();
  app.disable('x-powered-by');
  // Its own cookie name: a station on the same host (another port) shares the host's cookies.
  const auth = createAuth(hubUsers(o.pool), { ...o, cookieName: HUB_SESSION_COOKIE });

  app.use(securityHeaders);
  app.get('/healthz', (_req, res) => {
    const s = o.ingest.stats();
    const ok = s.connected && !s.lastError;
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'degraded', ingest: s });
  });
  app.use(express.json({ limit: '64kb' }));
  app.use(auth.attach);
  app.use(auth.csrf);
  app.use(auth.routes);
  app.use(hubPageRoutes({ dashboardDir: o.dashboardDir, log: o.log }));
  app.use('/api', auth.requireRole(LEAD_ROLES));
  app.use(stationRoutes(o.pool));
  app.use(reviewRoutes(o.pool));
  app.use(reviewDecisionRoutes(o.pool, o.send));
  app.use(makerRoutes(o.pool));
  app.use(benchRoutes(o.pool));
  app.use(referenceSetRoutes(o.pool));
  app.use(referenceSetActionRoutes(o.pool, o.send));
  app.use((req, _res, next) => next(new HttpError(404, `no such page or API: ${req.method} ${req.path}`)));
  app.use(errorHandler(o.log, 'the hub'));

  let server: Server | undefined;
  return {
    app,
    auth,
    listen(port, host) {
      return new Promise((resolve, reject) => {
        const s = app.listen(port, host, (err?: Error) => (err ? reject(err) : resolve(s)));
        server = s;
      });
    },
    async close() {
      if (server) {
        const s = server;
        const closed = new Promise<void>((r) => s.close(() => r()));
        s.closeAllConnections(); // idle keep-alive sockets would hold close() open
        await closed;
      }
      await auth.close();
    },
  };
}
