// Evidence images (the inspected frame and its heatmap overlay) on disk under <dataDir>/evidence.
//
// Layout: <dataDir>/evidence/YYYY-MM-DD/<inspectedAt>-<kind>-<random>.jpg, the day in UTC (no DST
// ambiguity). Paths stored in inspection rows are relative to the evidence folder, POSIX style,
// e.g. "2024-05-01/1714560000123-frame-3f9a1c.jpg", so they map directly onto an /evidence/ URL.
//
// Writes go through writeFileAtomic (atomicWrite.ts): a crash leaves either the whole file or no
// file under its real name, plus at most a hidden temp file that pruning sweeps up.
//
// Retention (pruneEvidence) deletes files whose inspectedAt (from the name) is older than keepDays.
// The rows stay; Store.applyRetention also sets their frame_path/heatmap_path to NULL and
// evidence_pruned_at to the time, so "no image" and "image deleted by retention" can be told apart.
import { randomBytes } from 'node:crypto';
import { existsSync, realpathSync } from 'node:fs';
import { readdir, rmdir, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { isTempName, writeFileAtomic } from './atomicWrite.ts';

export type EvidenceKind = 'frame' | 'heatmap';
export const DAY_MS = 86_400_000;
/** Temp files older than this (real time) are leftovers of a crash mid-write. */
const STALE_TEMP_MS = 3_600_000;
const DAY_DIR = /^\d{4}-\d{2}-\d{2}$/;
const EVIDENCE_NAME = /^(\d+)-(frame|heatmap)-[0-9a-f]+\.jpg$/;

export const evidenceRoot = (dataDir: string): string => path.resolve(dataDir, 'evidence');

const utcDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** Write one evidence JPEG atomically and durably; returns its path relative to the evidence folder. */
export async function writeEvidence(
  dataDir: string,
  item: { inspectedAt: number; kind: EvidenceKind; jpeg: Buffer },
): Promise<string> {
  const { inspectedAt, kind, jpeg } = item;
  if (!Number.isInteger(inspectedAt) || inspectedAt < 0) {
    throw new Error(`evidence inspectedAt must be a millisecond epoch integer (got ${inspectedAt})`);
  }
  if (kind !== 'frame' && kind !== 'heatmap')
    throw new Error(`evidence kind must be 'frame' or 'heatmap' (got ${kind})`);
  if (!Buffer.isBuffer(jpeg) || jpeg.length < 3 || jpeg[0] !== 0xff || jpeg[1] !== 0xd8 || jpeg[2] !== 0xff) {
    throw new Error(`evidence ${kind} is not JPEG data (expected bytes FF D8 FF); encode it as JPEG before storing`);
  }
  const day = utcDay(inspectedAt);
  const dir = path.join(evidenceRoot(dataDir), day);
  const name = `${inspectedAt}-${kind}-${randomBytes(4).toString('hex')}.jpg`;
  try {
    await writeFileAtomic(path.join(dir, name), jpeg);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new Error(
      `cannot write evidence ${kind} under ${dir} (${e.code ?? e.message}); check the data folder's free space and permissions`,
    );
  }
  return `${day}/${name}`;
}

/**
 * Absolute path of a stored evidence file, refusing anything that would leave the evidence folder
 * (.. segments, absolute paths, backslashes, NUL bytes, symlinks pointing outside).
 */
export function resolveEvidence(dataDir: string, relPath: string): string {
  const refuse = (why: string) => new Error(`evidence path ${JSON.stringify(relPath)} refused: ${why}`);
  if (typeof relPath !== 'string' || relPath === '') throw refuse('it is empty');
  if (relPath.includes('\0')) throw refuse('it contains a NUL byte');
  if (relPath.includes('\\')) throw refuse('use forward slashes only');
  if (path.posix.isAbsolute(relPath) || /^[a-zA-Z]:/.test(relPath))
    throw refuse('it must be relative to the evidence folder');
  if (relPath.split('/').some((seg) => seg === '..')) throw refuse('it climbs out of the evidence folder (..)');
  const root = evidenceRoot(dataDir);
  const abs = path.resolve(root, relPath);
  if (!abs.startsWith(root + path.sep)) throw refuse('it is outside the evidence folder');
  if (existsSync(abs)) {
    const realRoot = existsSync(root) ? realpathSync(root) : root;
    if (!realpathSync(abs).startsWith(realRoot + path.sep)) throw refuse('it links outside the evidence folder');
  }
  return abs;
}

export interface PruneResult {
  /** Files older than this (ms epoch) were deleted. */
  cutoff: number;
  removedFiles: string[];
  removedTempFiles: string[];
  /** Files in the evidence folder the station did not write; left alone and reported. */
  unknownFiles: string[];
}

export function retentionCutoff(keepDays: number, now: number): number {
  if (typeof keepDays !== 'number' || !Number.isFinite(keepDays) || keepDays < 0) {
    throw new Error(`evidence retention keepDays must be a number >= 0 (got ${keepDays})`);
  }
  return now - Math.round(keepDays * DAY_MS);
}

/** Delete evidence files whose inspection time is older than keepDays before now; empty day folders go too. */
export async function pruneEvidence(dataDir: string, keepDays: number, now: number): Promise<PruneResult> {
  const cutoff = retentionCutoff(keepDays, now);
  const result: PruneResult = { cutoff, removedFiles: [], removedTempFiles: [], unknownFiles: [] };
  const root = evidenceRoot(dataDir);
  if (!existsSync(root)) return result;
  for (const day of (await readdir(root)).sort()) {
    const dir = path.join(root, day);
    if (!DAY_DIR.test(day) || !(await stat(dir)).isDirectory()) {
      result.unknownFiles.push(day);
      continue;
    }
    let left = 0;
    for (const name of await readdir(dir)) {
      const file = path.join(dir, name);
      const rel = `${day}/${name}`;
      const match = EVIDENCE_NAME.exec(name);
      if (match) {
        if (Number(match[1]) < cutoff) {
          await unlink(file);
          result.removedFiles.push(rel);
        } else left++;
      } else if (isTempName(name) && Date.now() - (await stat(file)).mtimeMs > STALE_TEMP_MS) {
        await unlink(file);
        result.removedTempFiles.push(rel);
      } else {
        left++;
        if (!isTempName(name)) result.unknownFiles.push(rel);
      }
    }
    if (left === 0) await rmdir(dir).catch(() => {}); // a writer may have just added a file: keep it
  }
  return result;
}

export interface OrphanSweep {
  /** Evidence images no inspection row refers to (written, then the process died before the row). */
  removedFiles: string[];
  removedTempFiles: string[];
}

/**
 * At start, before any inspection runs: delete evidence images no row refers to and every evidence temp file.
 * A kill between an evidence write and its row's commit leaves such files; nothing else writes there, so with no
 * inspection in flight each of them is a leftover. `referenced(day)` lists the paths rows of that UTC day hold.
 */
export async function sweepOrphanEvidence(
  dataDir: string,
  referenced: (day: string) => Set<string>,
): Promise<OrphanSweep> {
  const result: OrphanSweep = { removedFiles: [], removedTempFiles: [] };
  const root = evidenceRoot(dataDir);
  if (!existsSync(root)) return result;
  for (const day of (await readdir(root)).sort()) {
    const dir = path.join(root, day);
    if (!DAY_DIR.test(day) || !(await stat(dir)).isDirectory()) continue;
    let known: Set<string> | null = null;
    // the day's referenced files are read once, and only if the day holds an evidence file
    const isKnown = (rel: string): boolean => {
      known ??= referenced(day);
      return known.has(rel);
    };
    for (const name of await readdir(dir)) {
      const rel = `${day}/${name}`;
      if (isTempName(name)) {
        await unlink(path.join(dir, name));
        result.removedTempFiles.push(rel);
      } else if (EVIDENCE_NAME.test(name) && !isKnown(rel)) {
        await unlink(path.join(dir, name));
        result.removedFiles.push(rel);
      }
    }
  }
  return result;
}
