/**
 * The file a reference_set_version event carries to the hub, read when the event is sent (the outbox holds only the
 * row, as it holds only evidence paths for thumbnails): its sha256, by which the hub and every bench name the set, and
 * its bytes. A file that is gone, or larger than the network carries, travels as its checksum alone or not at all.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { refsetFile } from '../referenceSets/versions.ts';
import type { Store } from '../store/index.ts';
import { MAX_REFERENCE_SET_BYTES } from './commands.ts';

export interface CarriedFile {
  sha256?: string;
  /** base64 */
  file?: string;
}

export const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

export async function referenceSetFileOf(
  store: Pick<Store, 'dataDir' | 'referenceSets'>,
  id: number,
): Promise<CarriedFile> {
  const row = store.referenceSets.get(id);
  if (!row) return {};
  let bytes: Buffer;
  try {
    bytes = await readFile(refsetFile(store.dataDir, row.filePath));
  } catch {
    return {}; // deleted by hand: the hub gets the summary, and cannot publish this version
  }
  const sha256 = sha256Hex(bytes);
  return bytes.length > MAX_REFERENCE_SET_BYTES ? { sha256 } : { sha256, file: bytes.toString('base64') };
}
