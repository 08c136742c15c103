// The workshop dashboard's files: its HTML pages (every one but the login page needs a lead login), the compiled
// browser modules from dashboard/dist, and the styles shared with the station's dashboard from dashboard/public.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router } from 'express';
import { access, LEAD_ROLES, sessionOf } from '../../web/auth/index.ts';

export const DEFAULT_DASHBOARD_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dashboard');

export const HUB_PAGES: Record<string, string> = {
  '/': 'hub-stations.html',
  '/review': 'hub-review.html',
  '/makers': 'hub-makers.html',
  '/benches': 'hub-benches.html',
  '/reference-sets': 'hub-reference-sets.html',
};

export function hubPageRoutes(deps: { dashboardDir?: string; log: { warn(msg: string): void } }): Router {
  const dir = deps.dashboardDir ?? DEFAULT_DASHBOARD_DIR;
  const publicDir = path.join(dir, 'public');
  const distDir = path.join(dir, 'dist');
  if (!existsSync(path.join(distDir, 'hub-stations.js')))
    deps.log.warn(`hub: the dashboard's scripts are not built (${distDir}); run: npx tsc -p dashboard`);
  const r = Router();
  const html = { headers: { 'Cache-Control': 'no-cache' } };
  const page = (file: string) => path.join(publicDir, file);

  r.get('/login', (_req, res) => res.sendFile(page('hub-login.html'), html));
  for (const [route, file] of Object.entries(HUB_PAGES)) {
    r.get(route, (_req, res) => {
      const verdict = access(sessionOf(res), LEAD_ROLES);
      // Without a lead login the answer is 401/403, with the login page as its body (it comes back here after).
      if (verdict !== 'ok') res.status(verdict === 'login' ? 401 : 403);
      res.sendFile(page(verdict === 'ok' ? file : 'hub-login.html'), html);
    });
  }
  r.use('/assets', express.static(publicDir, { index: false, maxAge: '1h' }));
  r.use('/js', express.static(distDir, { index: false, maxAge: 0 }));
  return r;
}
