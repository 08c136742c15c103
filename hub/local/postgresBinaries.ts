// Where Debian's PostgreSQL server programs are. They live under /usr/lib/postgresql/<major>/bin and not on PATH
// (Debian puts wrappers there that run a system-wide cluster); the highest installed major is the one used.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const DEBIAN_ROOT = '/usr/lib/postgresql';
const NEEDED = ['initdb', 'postgres'];

export interface PostgresBinaries {
  binDir: string;
  major: number;
}

export function findPostgres(): PostgresBinaries {
  const majors = existsSync(DEBIAN_ROOT)
    ? readdirSync(DEBIAN_ROOT)
        .filter((d) => /^\d+$/.test(d))
        .map(Number)
        .sort((a, b) => b - a)
    : [];
  for (const major of majors) {
    const dir = join(DEBIAN_ROOT, String(major), 'bin');
    if (NEEDED.every((b) => existsSync(join(dir, b)))) return { binDir: dir, major };
  }
  throw new Error(
    `PostgreSQL's server programs (${NEEDED.join(', ')}) are not under ${DEBIAN_ROOT}/<version>/bin: ` +
      'install the Debian package with `apt-get install postgresql`',
  );
}

/** Refuses a data folder made by another major version: the server would refuse it with a less direct message. */
export function assertDataMatches(dataDir: string, pg: PostgresBinaries): void {
  const file = join(dataDir, 'PG_VERSION');
  if (!existsSync(file)) return;
  const made = Number(readFileSync(file, 'utf8').trim());
  if (made !== pg.major) {
    throw new Error(
      `${dataDir} was made by PostgreSQL ${made} but the server found is ${pg.major}: ` +
        'use a new folder, or upgrade the data with pg_upgrade',
    );
  }
}
