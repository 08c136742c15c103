// The dashboard's files: HTML pages (lead pages only with a lead login), compiled browser
// modules from dashboard/dist, styles from dashboard/public, and the socket.io client script.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router } from 'express';
import { access, LEAD_ROLES, sessionOf } from './auth/index.ts';
import type { Log } from '../shared/domain.d.ts';

export const DEFAULT_DASHBOARD_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dashboard');
export const DASHBOARD_BUILD_COMMAND = 'npx tsc -p dashboard';

const LEAD_PAGES: Record<string, string> = {
  '/review': 'review.html',
  '/makers': 'makers.html',
  '/reference-sets': 'reference-sets.html',
};

function socketIoClientPath(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('socket.io/package.json')), 'client-dist', 'socket.io.min.js');
}

export function pageRoutes(deps: { dashboardDir?: string; log: Pick<Log, 'warn'> }): Router {
  const dir = deps.dashboardDir ?? DEFAULT_DASHBOARD_DIR;
  const publicDir = path.join(dir, 'public');
  const distDir = path.join(dir, 'dist');
  if (!existsSync(path.join(distDir, 'live.js'))) {
    deps.log.warn(`dashboard scripts are not built (${distDir} has no live.js); run: ${DASHBOARD_BUILD_COMMAND}`);
  }
  const r = Router();
  const page = (file: string) => path.join(publicDir, file);
  const html = { headers: { 'Cache-Control': 'no-cache' } };

  r.get('/', (_req, res) => res.sendFile(page('live.html'), html));
  r.get('/login', (_req, res) => res.sendFile(page('login.html'), html));
  for (const [route, file] of Object.entries(LEAD_PAGES)) {
    r.get(route, (_req, res) => {
      const verdict = access(sessionOf(res), LEAD_ROLES);
      // Without the right login the answer is 401/403, with the login page as its body.
      if (verdict !== 'ok') res.status(verdict === 'login' ? 401 : 403);
      res.sendFile(page(verdict === 'ok' ? file : 'login.html'), html);
    });
  }
  r.get('/vendor/socket.io.min.js', (_req, res) => res.sendFile(socketIoClientPath(), { maxAge: '1d' }));
  r.use('/assets', express.static(publicDir, { index: false, maxAge: '1h' }));
  r.use('/js', express.static(distDir, { index: false, maxAge: 0 }));
  r.use('/js', (_req, res) => {
    // The folder is in the station's log (see above), not in answers to visitors.
    res.status(404).json({ error: `dashboard script not found; build the dashboard with: ${DASHBOARD_BUILD_COMMAND}` });
  });
  return r;
}
