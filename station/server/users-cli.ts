// `npm run users -- <command>`: manage dashboard logins in the station's SQLite store.
//   add <name> [--role viewer|lead|admin] [--password-stdin]   (default role: viewer)
//   passwd <name> [--password-stdin]
//   role <name> <viewer|lead|admin>
//   remove <name>
//   list
// Options: --data-dir <dir> (else the config's dataDir), --config <file> (else $STATION_CONFIG).
// The password is read from stdin: typed twice without echo on a terminal, or the first line
// of piped input (--password-stdin makes the piped form explicit).
import { loadConfig, resolvePath } from '../config.ts';
import { openStore } from '../store/index.ts';
import { userRoles } from '../store/repositories/users.ts';
import type { CliIo } from '../../web/auth/passwordInput.ts';
import { parseUsersArgs, runUsersCommand, usersCliExitCode, type UsersCliArgs } from '../../web/auth/usersCli.ts';

export type { CliIo } from '../../web/auth/passwordInput.ts';

const USAGE = `usage: npm run users -- [--data-dir <dir>] [--config <file>] <command>
  add <name> [--role viewer|lead|admin] [--password-stdin]
  passwd <name> [--password-stdin]
  role <name> <viewer|lead|admin>
  remove <name>
  list`;

export async function runUsersCli(argv: string[], io: CliIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let parsed: UsersCliArgs<(typeof userRoles)[number]>;
  try {
    parsed = parseUsersArgs(argv, userRoles, 'viewer', ['--data-dir', '--config']);
  } catch (err) {
    const msg = (err as Error).message;
    io.stderr.write(`${msg ? `${msg}\n` : ''}${USAGE}\n`);
    return 2;
  }
  const config = loadConfig(parsed.options.config ?? env.STATION_CONFIG);
  const dataDir = parsed.options['data-dir'] ?? resolvePath(config, config.dataDir);
  const store = openStore(dataDir);
  try {
    await runUsersCommand(parsed, store.users, userRoles, io, {
      where: `in ${store.file}`,
      addHint: 'npm run users -- add <name> --role lead',
    });
    return 0;
  } catch (err) {
    io.stderr.write(`${(err as Error).message}\n`);
    return usersCliExitCode(err);
  } finally {
    store.close();
  }
}
