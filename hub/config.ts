/**
 * The hub's config file (JSON), declared once: every field with its default, unknown fields refused, and an error
 * that names the file and the field — the same rules as the station's config. Secrets live in files of their own.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { closedObject, issueLine, mustBe } from '../station/schema/format.ts';

export class HubConfigError extends Error {}

const text = () => z.string({ error: mustBe('a non-empty string') }).min(1);

const hubFile = closedObject(
  {
    broker: closedObject({
      /** mqtt://host:port, or mqtts:// for TLS. */
      url: z.string({ error: mustBe('an mqtt:// or mqtts:// URL') }).regex(/^mqtts?:\/\/[^\s/]+/, {
        error: mustBe('an mqtt:// or mqtts:// URL'),
      }),
      username: text().default('hub'),
      passwordFile: text(),
      caFile: text().optional(),
    }),
    database: closedObject({
      /** postgres://user@host:port/database (the password goes in passwordFile). */
      url: z.string({ error: mustBe('a postgres:// URL') }).regex(/^postgres(ql)?:\/\//, {
        error: mustBe('a postgres:// URL'),
      }),
      passwordFile: text().optional(),
    }),
    server: closedObject({
      host: text().default('0.0.0.0'),
      port: z
        .number({ error: mustBe('a port number') })
        .int()
        .min(0)
        .max(65535)
        .default(8090),
    }).prefault({}),
  },
  'must be a JSON object',
);

export type HubConfig = z.output<typeof hubFile> & { baseDir: string };

export function parseHubConfig(raw: unknown, source: string, baseDir: string): HubConfig {
  const r = hubFile.safeParse(raw);
  if (!r.success) throw new HubConfigError(issueLine(source, r.error));
  return { ...r.data, baseDir };
}

export function loadHubConfig(file: string): HubConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new HubConfigError(`${file}: ${(err as Error).message}`);
  }
  return parseHubConfig(raw, file, dirname(resolve(file)));
}

/** A path from the config, relative to the config file's folder. */
export const hubPath = (c: HubConfig, p: string) => (isAbsolute(p) ? p : join(c.baseDir, p));

export function readHubSecret(c: HubConfig, p: string, field: string): string {
  try {
    return readFileSync(hubPath(c, p), 'utf8').trim();
  } catch (err) {
    throw new HubConfigError(`${field} ${hubPath(c, p)} cannot be read (${(err as NodeJS.ErrnoException).code})`);
  }
}
