/**
 * The thumbnails an inspection carries to the hub: small JPEGs of the frame and heatmap, made when the event is
 * sent (the outbox holds only the evidence paths). Evidence that retention already deleted is simply not sent.
 */
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { resolveEvidence } from '../store/index.ts';

/** Long side of a thumbnail: enough for a lead to recognise the item and where the heatmap burns. */
export const THUMBNAIL_SIDE = 160;

export interface Thumbnails {
  frame?: string;
  heatmap?: string;
}

async function thumbnail(dataDir: string, relPath: string | null): Promise<string | undefined> {
  if (!relPath) return undefined;
  let bytes: Buffer;
  try {
    bytes = await readFile(resolveEvidence(dataDir, relPath));
  } catch {
    return undefined; // pruned or never written: the event goes without it
  }
  const jpeg = await sharp(bytes)
    .resize({ width: THUMBNAIL_SIDE, height: THUMBNAIL_SIDE, fit: 'inside', withoutEnlargement: true })
    .jpeg({ quality: 70 })
    .toBuffer();
  return jpeg.toString('base64');
}

export async function thumbnailsOf(
  dataDir: string,
  evidence: { framePath: string | null; heatmapPath: string | null },
): Promise<Thumbnails> {
  const [frame, heatmap] = await Promise.all([
    thumbnail(dataDir, evidence.framePath),
    thumbnail(dataDir, evidence.heatmapPath),
  ]);
  return { ...(frame ? { frame } : {}), ...(heatmap ? { heatmap } : {}) };
}
