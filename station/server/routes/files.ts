// Image files: GET /evidence/<relPath> (inspected frames and heatmaps, only under
// <dataDir>/evidence) and GET /references/<product>/<file> (good reference images, only under
// calibration/<product>/). Anything that tries to leave those folders is refused with 400.
import { existsSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { Router, type Response } from 'express';
import { resolveEvidence } from '../../store/evidence.ts';
import { badRequest, notFound } from '../http-error.ts';

const IMAGE_EXT = new Set(['.jpg', '.jpeg', '.png', '.webp', '.bmp', '.tif', '.tiff']);

function decodedRest(reqPath: string): string {
  try {
    return decodeURIComponent(reqPath.replace(/^\/+/, ''));
  } catch {
    throw badRequest('the image path is not valid URL encoding');
  }
}

/** Absolute path of `rel` inside `root`, refusing escapes (.., absolute, backslash, NUL, outward symlinks). */
export function resolveInside(root: string, rel: string, what: string): string {
  const refuse = (why: string) => badRequest(`${what} path ${JSON.stringify(rel)} refused: ${why}`);
  if (rel === '') throw refuse('it is empty');
  if (rel.includes('\0')) throw refuse('it contains a NUL byte');
  if (rel.includes('\\')) throw refuse('use forward slashes only');
  if (path.posix.isAbsolute(rel) || /^[a-zA-Z]:/.test(rel)) throw refuse('it must be relative');
  if (rel.split('/').some((s) => s === '..')) throw refuse('it climbs out of its folder (..)');
  const absRoot = path.resolve(root);
  const abs = path.resolve(absRoot, rel);
  if (!abs.startsWith(absRoot + path.sep)) throw refuse('it is outside its folder');
  if (existsSync(abs) && existsSync(absRoot) && !realpathSync(abs).startsWith(realpathSync(absRoot) + path.sep)) {
    throw refuse('it links outside its folder');
  }
  return abs;
}

function sendImage(res: Response, abs: string, label: string): void {
  if (!IMAGE_EXT.has(path.extname(abs).toLowerCase())) throw notFound(`${label} is not an image file`);
  if (!existsSync(abs) || !statSync(abs).isFile())
    throw notFound(`${label} does not exist (it may have been deleted by retention)`);
  res.setHeader('Cache-Control', 'private, max-age=3600');
  res.sendFile(abs, { dotfiles: 'deny' });
}

export function fileRoutes(deps: { dataDir: string; calibrationDir: string }): Router {
  const r = Router();

  r.use('/evidence', (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const rel = decodedRest(req.path);
    let abs: string;
    try {
      abs = resolveEvidence(deps.dataDir, rel);
    } catch (err) {
      throw badRequest(err instanceof Error ? err.message : String(err));
    }
    sendImage(res, abs, `evidence image ${rel}`);
  });

  r.use('/references', (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const rel = decodedRest(req.path);
    const slash = rel.indexOf('/');
    if (slash <= 0) throw badRequest('use /references/<product>/<file>');
    const product = rel.slice(0, slash);
    const file = rel.slice(slash + 1);
    const productRoot = resolveInside(deps.calibrationDir, product, 'product folder');
    // Nearest references usually name a file in good/; accept paths relative to the product too.
    const inGood = !file.includes('/') ? resolveInside(path.join(productRoot, 'good'), file, 'reference image') : null;
    const abs = inGood && existsSync(inGood) ? inGood : resolveInside(productRoot, file, 'reference image');
    sendImage(res, abs, `reference image ${rel}`);
  });

  return r;
}
