/** Embed a list of calibration files; an unreadable image is recorded by name, never silently dropped. */
import { readFileSync } from 'node:fs';
import type { CalibrationEngine } from './engine.ts';
import type { CalibrationFile } from './scanFolder.ts';

export interface Embedded<E> {
  file: CalibrationFile;
  embedding: E;
}

export async function embedAll<E>(
  engine: CalibrationEngine<E, unknown>,
  files: CalibrationFile[],
  onEach?: (done: number, total: number) => void,
): Promise<{ ok: Embedded<E>[]; skipped: { name: string; reason: string }[] }> {
  const ok: Embedded<E>[] = [];
  const skipped: { name: string; reason: string }[] = [];
  let done = 0;
  for (const file of files) {
    try {
      const buf = readFileSync(file.file);
      ok.push({ file, embedding: await engine.embed(buf, file.name) });
    } catch (err) {
      skipped.push({ name: file.name, reason: err instanceof Error ? err.message : String(err) });
    }
    onEach?.(++done, files.length);
  }
  return { ok, skipped };
}
