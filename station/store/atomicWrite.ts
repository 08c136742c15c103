// The one way the station puts a file on disk: a hidden temp name in the same folder, fsync,
// rename into place, fsync the folder. A crash leaves either the old file or the whole new one
// under the real name, never half an image or half a reference set; only a hidden temp file
// can be left behind, and isTempName lets a sweeper recognise it.
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { type FileHandle, mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';

/** Temp files this module writes: `.<name>.tmp-<pid>` with an optional `-<8 hex>` (older writers left none). */
const TEMP_NAME = /^\..+\.tmp-\d+(-[0-9a-f]{8})?$/;

export const isTempName = (name: string): boolean => TEMP_NAME.test(name);

const tempFor = (file: string): string =>
  path.join(path.dirname(file), `.${path.basename(file)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);

/** Writes `data` to `file` atomically and durably; creates the folder. Throws the fs error (with its code). */
export async function writeFileAtomic(file: string, data: Uint8Array | string): Promise<void> {
  const dir = path.dirname(file);
  const temp = tempFor(file);
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

/** The same write for synchronous tools (model preparation runs before anything async is up). */
export function writeFileAtomicSync(file: string, data: Uint8Array | string): void {
  const dir = path.dirname(file);
  const temp = tempFor(file);
  try {
    mkdirSync(dir, { recursive: true });
    const fd = openSync(temp, 'wx');
    try {
      writeFileSync(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, file);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
  fsyncDirSync(dir);
}

/** fsyncDir's synchronous twin. */
function fsyncDirSync(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    /* not supported here (e.g. Windows): nothing more to do */
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
