// `npm run hub:users -- <command>`: manage the leads who sign in to the workshop dashboard, in the hub's PostgreSQL.
//   add <name> [--role lead|admin] [--password-stdin]   (default role: lead)
//   passwd <name> [--password-stdin]
//   role <name> <lead|admin>
//   remove <name>
//   list
// Options: --config <hub.json> (else $HUB_CONFIG). The password is read as the station's users CLI reads it:
// typed twice without echo on a terminal, or the first line of piped input.
import type { CliIo } from '../web/auth/passwordInput.ts';
import {
  parseUsersArgs,
  runUsersCommand,
  UsageError,
  usersCliExitCode,
  type UsersCliArgs,
} from '../web/auth/usersCli.ts';
import { HubConfigError, loadHubConfig } from './config.ts';
import { openHubDatabase } from './db/open.ts';
import { type HubRole, hubRoles, hubUsers } from './db/users.ts';

const USAGE = `usage: npm run hub:users -- --config <hub.json> <command>
  add <name> [--role lead|admin] [--password-stdin]
  passwd <name> [--password-stdin]
  role <name> <lead|admin>
  remove <name>
  list`;

export async function runHubUsersCli(argv: string[], io: CliIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let parsed: UsersCliArgs<HubRole>;
  try {
    parsed = parseUsersArgs(argv, hubRoles, 'lead', ['--config']);
    if (!(parsed.options.config ?? env.HUB_CONFIG))
      throw new UsageError('--config <hub.json> (or $HUB_CONFIG) is needed');
  } catch (err) {
    const msg = (err as Error).message;
    io.stderr.write(`${msg ? `${msg}\n` : ''}${USAGE}\n`);
    return 2;
  }
  const quiet = { info: () => {}, warn: (m: string) => io.stderr.write(`${m}\n`) };
  let pool: Awaited<ReturnType<typeof openHubDatabase>> | undefined;
  try {
    pool = await openHubDatabase(loadHubConfig((parsed.options.config ?? env.HUB_CONFIG) as string), quiet, 1);
    await runUsersCommand(parsed, hubUsers(pool), hubRoles, io, {
      where: 'to the hub',
      addHint: 'npm run hub:users -- add <name> --role lead',
    });
    return 0;
  } catch (err) {
    const msg = (err as Error).message;
    io.stderr.write(`${err instanceof HubConfigError ? `hub config: ${msg}` : msg}\n`);
    return err instanceof HubConfigError ? 2 : usersCliExitCode(err);
  } finally {
    await pool?.end();
  }
}
