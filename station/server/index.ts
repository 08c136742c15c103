// The station's web server: express REST API + socket.io live events + the dashboard.
// It receives its collaborators (store, StationControl, folders, logger) from the composition
// and owns nothing else, so tests can run it against a real store and a test double station.
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { Server as IoServer } from 'socket.io';
import { createAnnouncer, type Announcer } from './announce.ts';
import { access, createAuth, LEAD_ROLES, type Auth, type AuthOptions } from './auth/index.ts';
import { LEADS_ROOM } from './announce.ts';
import { errorHandler, HttpError } from './http-error.ts';
import { StationMetrics } from './metrics.ts';
import { pageRoutes } from './pages.ts';
import { securityHeaders } from '../../web/securityHeaders.ts';
import { fileRoutes } from './routes/files.ts';
import { healthRoutes } from './routes/health.ts';
import { inspectionRoutes } from './routes/inspections.ts';
import { makerRoutes } from './routes/makers.ts';
import { referenceSetRoutes } from './routes/reference-sets.ts';
import { reviewRoutes } from './routes/review.ts';
import { stationRoutes } from './routes/station.ts';
import type { Log } from '../shared/domain.d.ts';
import type { ServerStore, StationControl } from './types.ts';
import { helloView } from './views.ts';

export type * from './types.ts';
export type { Announcer } from './announce.ts';
export { DRIFT_RULE, driftFlag } from '../makers/drift.ts';
export { DASHBOARD_BUILD_COMMAND } from './pages.ts';

export interface ServerOptions extends AuthOptions {
  store: ServerStore;
  /** Folder holding evidence/ (the inspected frames and heatmaps). */
  dataDir: string;
  /** Folder holding <product>/good/ etc. */
  calibrationDir: string;
  station: StationControl;
  log: Log;
  /** Defaults to the project's dashboard/ folder. */
  dashboardDir?: string;
  /** express "trust proxy" setting, for running behind an https reverse proxy. */
  trustProxy?: boolean | string | number;
}

export interface StationServer {
  app: express.Express;
  io: IoServer;
  http: HttpServer;
  announce: Announcer;
  auth: Auth;
  metrics: StationMetrics;
  /** Resolves with the bound address once listening (port 0 picks a free port). */
  listen(port: number, host?: string): Promise<{ port: number; host: string; url: string }>;
  close(): Promise<void>;
}

export function createServer(opts: ServerOptions): StationServer {
  const { store, dataDir, calibrationDir, station, log } = opts;
  const app = express();
  app.disable('x-powered-by');
  if (opts.trustProxy !== undefined) app.set('trust proxy', opts.trustProxy);
  const http = createHttpServer(app);
  // The client script is served from /vendor; same-origin only (no CORS).
  const io = new IoServer(http, { serveClient: false });
  const metrics = new StationMetrics();
  const auth = createAuth(store, opts);
  const announce = createAnnouncer({ io, store, metrics });

  // A new dashboard gets the whole picture at once; after that, only changes.
  io.on('connection', async (socket) => {
    // Lead-only events (calibration progress) go to the 'leads' room: joined by a lead's signed-in dashboard at
    // connection (a page loaded after logging in), before its hello; a logout ends it at the next page load.
    if (access(await auth.sessionFor(socket.request.headers.cookie), LEAD_ROLES) === 'ok') void socket.join(LEADS_ROOM);
    try {
      socket.emit('hello', helloView(store, station));
    } catch (err) {
      log.error('could not send the current state to a dashboard', { error: String(err) });
    }
  });

  app.use(securityHeaders);
  app.use(express.json({ limit: '64kb' }));
  app.use(auth.attach);
  app.use(auth.csrf);
  app.use(auth.routes);
  app.use(healthRoutes({ store, station, metrics }));
  app.use(inspectionRoutes(store));
  app.use(reviewRoutes({ store, dataDir, calibrationDir, auth, log }));
  app.use(stationRoutes({ store, station, auth }));
  app.use(makerRoutes({ store, auth }));
  app.use(referenceSetRoutes({ store, station, auth, announce, log }));
  app.use(fileRoutes({ dataDir, calibrationDir }));
  app.use(pageRoutes({ dashboardDir: opts.dashboardDir, log }));
  app.use((req, _res, next) => next(new HttpError(404, `no such page or API: ${req.method} ${req.path}`)));
  app.use(errorHandler(log));

  return {
    app,
    io,
    http,
    announce,
    auth,
    metrics,
    listen(port, host = '127.0.0.1') {
      return new Promise((resolve, reject) => {
        const onError = (err: NodeJS.ErrnoException) => {
          reject(
            new Error(
              `dashboard cannot listen on ${host}:${port} (${err.code ?? err.message}); choose another port in the config`,
            ),
          );
        };
        http.once('error', onError);
        http.listen(port, host, () => {
          http.off('error', onError);
          const addr = http.address() as AddressInfo;
          const shown = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
          resolve({ port: addr.port, host: addr.address, url: `http://${shown}:${addr.port}/` });
        });
      });
    },
    async close() {
      await new Promise<void>((resolve) => {
        io.close(() => resolve());
        // io.close also closes the http server; force idle keep-alive sockets down.
        http.closeAllConnections?.();
      });
      await auth.close();
    },
  };
}
