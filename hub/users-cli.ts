// `npm run hub:users -- <command>`: manage the leads who sign in to the workshop dashboard, in the hub's PostgreSQL.
//   add <name> [--role lead|admin] [--password-stdin]   (default role: lead)
//   passwd <name> [--password-stdin]
//   role <name> <lead|admin>
//   remove <name>
//   list
// Options: --config <hub.json> (else $HUB_CONFIG). The password is read as the station's users CLI reads it:
// typed twice without echo on a terminal, or the first line of piped input.
import { type CliIo, PasswordsDifferError, readPassword } from '../web/auth/passwordInput.ts';
import { hashPassword, passwordProblem } from '../web/auth/passwords.ts';
import { HubConfigError, loadHubConfig } from './config.ts';
import { openHubDatabase } from './db/open.ts';
import { type HubRole, hubRoles, hubUsers, type HubUsers } from './db/users.ts';

const USAGE = `usage: npm run hub:users -- --config <hub.json> <command>
  add <name> [--role lead|admin] [--password-stdin]
  passwd <name> [--password-stdin]
  role <name> <lead|admin>
  remove <name>
  list`;

class UsageError extends Error {}

interface Parsed {
  command: string;
  args: string[];
  role: HubRole;
  config?: string;
}

const isRole = (v: string | undefined): v is HubRole => (hubRoles as readonly string[]).includes(v ?? '');

function parseArgs(argv: string[]): Parsed {
  const args: string[] = [];
  let role: HubRole = 'lead';
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
      if (!isRole(v)) throw new UsageError(`--role must be one of ${hubRoles.join(', ')} (got '${v}')`);
      role = v;
    } else if (a === '--config') config = value();
    else if (a === '--password-stdin') continue;
    else if (a === '-h' || a === '--help') throw new UsageError('');
    else if (a.startsWith('--')) throw new UsageError(`unknown option ${a}`);
    else args.push(a);
  }
  const command = args.shift();
  if (!command) throw new UsageError('');
  return { command, args, role, config };
}

async function run(p: Parsed, users: HubUsers, io: CliIo): Promise<void> {
  const name = () => {
    const n = p.args[0];
    if (!n) throw new UsageError(`'${p.command}' needs a user name`);
    if (!/^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/.test(n))
      throw new UsageError(`user name '${n}' must be letters, digits, '.', '_', '@' or '-' (max 64)`);
    return n;
  };
  const newHash = async () => {
    const pw = await readPassword(io);
    const problem = passwordProblem(pw, p.args[0]);
    if (problem) throw new UsageError(problem);
    return hashPassword(pw);
  };
  switch (p.command) {
    case 'add': {
      const n = name();
      if (await users.get(n)) throw new UsageError(`user '${n}' already exists; use 'passwd' or 'role' to change it`);
      await users.create({ name: n, passwordHash: await newHash(), role: p.role });
      io.stdout.write(`added ${n} (${p.role}) to the hub\n`);
      return;
    }
    case 'passwd': {
      const n = name();
      if (!(await users.get(n))) throw new UsageError(`user '${n}' does not exist`);
      await users.setPasswordHash(n, await newHash());
      io.stdout.write(`password of ${n} changed; their open sessions end at their next request\n`);
      return;
    }
    case 'role': {
      const n = name();
      const role = p.args[1];
      if (!isRole(role)) throw new UsageError(`role must be one of ${hubRoles.join(', ')}`);
      await users.setRole(n, role);
      io.stdout.write(`${n} is now ${role}\n`);
      return;
    }
    case 'remove': {
      const n = name();
      await users.remove(n);
      io.stdout.write(`removed ${n}\n`);
      return;
    }
    case 'list': {
      const all = await users.list();
      if (all.length === 0)
        io.stdout.write(`no users yet; add one with: npm run hub:users -- add <name> --role lead\n`);
      for (const u of all) io.stdout.write(`${u.name}\t${u.role}\t${new Date(u.createdAt).toISOString()}\n`);
      return;
    }
    default:
      throw new UsageError(`unknown command '${p.command}'`);
  }
}

export async function runHubUsersCli(argv: string[], io: CliIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let parsed: Parsed;
  try {
    parsed = parseArgs(argv);
    if (!(parsed.config ?? env.HUB_CONFIG)) throw new UsageError('--config <hub.json> (or $HUB_CONFIG) is needed');
  } catch (err) {
    const msg = (err as Error).message;
    io.stderr.write(`${msg ? `${msg}\n` : ''}${USAGE}\n`);
    return 2;
  }
  const quiet = { info: () => {}, warn: (m: string) => io.stderr.write(`${m}\n`) };
  let pool: Awaited<ReturnType<typeof openHubDatabase>> | undefined;
  try {
    pool = await openHubDatabase(loadHubConfig((parsed.config ?? env.HUB_CONFIG) as string), quiet, 1);
    await run(parsed, hubUsers(pool), io);
    return 0;
  } catch (err) {
    const msg = (err as Error).message;
    io.stderr.write(`${err instanceof HubConfigError ? `hub config: ${msg}` : msg}\n`);
    return err instanceof UsageError || err instanceof PasswordsDifferError || err instanceof HubConfigError ? 2 : 1;
  } finally {
    await pool?.end();
  }
}
