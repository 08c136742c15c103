// The one way the station puts a file on disk: a hidden temp name in the same folder, fsync,
// rename into place, fsync the folder. A crash leaves either the old file or the whole new one
// under the real name, never half an image or half a reference set; only a hidden temp file
// can be left behind, and isTempName lets a sweeper recognise it.
import { randomBytes } from 'node:crypto';
import { type FileHandle, mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';

/** Temp files this module writes: `.<name>.tmp-<pid>` with an optional `-<8 hex>` (older writers left none). */
const TEMP_NAME = /^\..+\.tmp-\d+(-[0-9a-f]{8})?$/;

export const isTempName = (name: string): boolean => TEMP_NAME.test(name);

/** Writes `data` to `file` atomically and durably; creates the folder. Throws the fs error (with its code). */
export async function writeFileAtomic(file: string, data: Uint8Array | string): Promise<void> {
  const dir = path.dirname(file);
  const temp = path.join(dir, `.${path.basename(file)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await mkdir(dir, { recursive: true });
    const handle = await open(temp, 'wx');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (err) {
    await rm(temp, { force: true }).catch(() => {});
    throw err;
  }
  await fsyncDir(dir);
}

/** Makes a rename in `dir` durable. Some platforms cannot fsync a folder; the rename is atomic anyway. */
async function fsyncDir(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    /* not supported here (e.g. Windows): nothing more to do */
  } finally {
    await handle?.close();
  }
}
