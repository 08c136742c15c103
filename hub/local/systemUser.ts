// Running the local services as root's guests. Mosquitto started as root drops to its own user and PostgreSQL
// refuses root outright, so when this process is root their folders must belong to the Debian package's system
// user; when it is not, everything simply runs as the current user.
import { chownSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface SystemUser {
  name: string;
  uid: number;
  gid: number;
}

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** The account the Debian package created (read from /etc/passwd, so no helper binary is needed). */
export function systemUser(name: string, aptPackage: string): SystemUser {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}:`));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (uid === undefined || gid === undefined) {
    throw new Error(
      `there is no system user '${name}' to run ${aptPackage} as (root may not): the Debian package creates it, ` +
        `so run \`apt-get install ${aptPackage}\``,
    );
  }
  return { name, uid: Number(uid), gid: Number(gid) };
}

/** Gives `dir` and everything in it to `user`. */
export function chownTree(dir: string, user: SystemUser): void {
  chownSync(dir, user.uid, user.gid);
  for (const entry of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    chownSync(join(dir, entry), user.uid, user.gid);
  }
}

/**
 * Throws when `user` could not reach `dir` because a folder above it is closed to them (one made by mkdtemp, or
 * under /root); the service would otherwise fail later with a bare "permission denied".
 */
export function assertReachable(dir: string, user: SystemUser): void {
  for (let up = dirname(dir); ; up = dirname(up)) {
    const s = statSync(up);
    const searchable =
      (s.uid === user.uid && s.mode & 0o100) || (s.gid === user.gid && s.mode & 0o010) || s.mode & 0o001;
    if (!searchable) {
      throw new Error(
        `${dir} is out of reach of the system user '${user.name}' the service runs as: ${up} is closed to it ` +
          `(mode ${(s.mode & 0o777).toString(8)}); let others pass through it (chmod o+x) or choose another folder`,
      );
    }
    if (up === dirname(up)) return;
  }
}
