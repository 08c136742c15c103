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
import { userRoles, type UserRole } from '../store/repositories/users.ts';
import { type CliIo, PasswordsDifferError, readPassword } from '../../web/auth/passwordInput.ts';
import { hashPassword, passwordProblem } from '../../web/auth/passwords.ts';

export type { CliIo } from '../../web/auth/passwordInput.ts';

const USAGE = `usage: npm run users -- [--data-dir <dir>] [--config <file>] <command>
  add <name> [--role viewer|lead|admin] [--password-stdin]
  passwd <name> [--password-stdin]
  role <name> <viewer|lead|admin>
  remove <name>
  list`;

class UsageError extends Error {}

interface Parsed {
  command: string;
  args: string[];
  role: UserRole;
  dataDir?: string;
  config?: string;
}

function parseArgs(argv: string[]): Parsed {
  const args: string[] = [];
  let role: UserRole = 'viewer';
  let dataDir: string | undefined;
  let config: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${a} needs a value`);
      return v;
    };
    if (a === '--role') {
      const v = value();
      if (!(userRoles as readonly string[]).includes(v))
        throw new UsageError(`--role must be one of ${userRoles.join(', ')} (got '${v}')`);
      role = v as UserRole;
    } else if (a === '--data-dir') dataDir = value();
    else if (a === '--config') config = value();
    else if (a === '--password-stdin') continue;
    else if (a === '-h' || a === '--help') throw new UsageError('');
    else if (a.startsWith('--')) throw new UsageError(`unknown option ${a}`);
    else args.push(a);
  }
  const command = args.shift();
  if (!command) throw new UsageError('');
  return { command, args, role, dataDir, config };
}

export async function runUsersCli(argv: string[], io: CliIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let parsed: Parsed;
  try {
    parsed = parseArgs(argv);
  } catch (err) {
    const msg = (err as Error).message;
    io.stderr.write(`${msg ? `${msg}\n` : ''}${USAGE}\n`);
    return 2;
  }
  const config = loadConfig(parsed.config ?? env.STATION_CONFIG);
  const dataDir = parsed.dataDir ?? resolvePath(config, config.dataDir);
  const store = openStore(dataDir);
  try {
    const name = () => {
      const n = parsed.args[0];
      if (!n) throw new UsageError(`'${parsed.command}' needs a user name`);
      if (!/^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/.test(n)) {
        throw new UsageError(`user name '${n}' must be letters, digits, '.', '_', '@' or '-' (max 64)`);
      }
      return n;
    };
    const newHash = async () => {
      const pw = await readPassword(io);
      const problem = passwordProblem(pw, parsed.args[0]);
      if (problem) throw new UsageError(problem);
      return hashPassword(pw);
    };
    switch (parsed.command) {
      case 'add': {
        const n = name();
        if (store.users.get(n)) throw new UsageError(`user '${n}' already exists; use 'passwd' or 'role' to change it`);
        store.users.create({ name: n, passwordHash: await newHash(), role: parsed.role });
        io.stdout.write(`added ${n} (${parsed.role}) in ${store.file}\n`);
        break;
      }
      case 'passwd': {
        const n = name();
        if (!store.users.get(n)) throw new UsageError(`user '${n}' does not exist`);
        store.users.setPasswordHash(n, await newHash());
        io.stdout.write(`password of ${n} changed; their open sessions end at their next request\n`);
        break;
      }
      case 'role': {
        const n = name();
        const role = parsed.args[1];
        if (!role || !(userRoles as readonly string[]).includes(role))
          throw new UsageError(`role must be one of ${userRoles.join(', ')}`);
        store.users.setRole(n, role as UserRole);
        io.stdout.write(`${n} is now ${role}\n`);
        break;
      }
      case 'remove': {
        const n = name();
        store.users.remove(n);
        io.stdout.write(`removed ${n}\n`);
        break;
      }
      case 'list': {
        const users = store.users.list();
        if (users.length === 0)
          io.stdout.write(`no users yet; add one with: npm run users -- add <name> --role lead\n`);
        for (const u of users) io.stdout.write(`${u.name}\t${u.role}\t${new Date(u.createdAt).toISOString()}\n`);
        break;
      }
      default:
        throw new UsageError(`unknown command '${parsed.command}'`);
    }
    return 0;
  } catch (err) {
    io.stderr.write(`${(err as Error).message}\n`);
    return err instanceof UsageError || err instanceof PasswordsDifferError ? 2 : 1;
  } finally {
    store.close();
  }
}
