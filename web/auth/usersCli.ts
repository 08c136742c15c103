// What the station's and the hub's users CLIs share: the arguments (a command, a user name, --role, options that
// take a value) and the commands themselves over a user directory. Each CLI brings its directory (the station's
// SQLite users, the hub's PostgreSQL hub_users), its roles and its own options.
import { type CliIo, PasswordsDifferError, readPassword } from './passwordInput.ts';
import { hashPassword, passwordProblem } from './passwords.ts';

export class UsageError extends Error {}

/** A user directory: synchronous (SQLite) or not (PostgreSQL). */
export interface UserDirectory<R extends string> {
  get(name: string): unknown;
  create(u: { name: string; passwordHash: string; role: R }): unknown;
  setPasswordHash(name: string, passwordHash: string): unknown;
  setRole(name: string, role: R): unknown;
  remove(name: string): unknown;
  list():
    | { name: string; role: string; createdAt: number }[]
    | Promise<{ name: string; role: string; createdAt: number }[]>;
}

export interface UsersCliArgs<R extends string> {
  command: string;
  args: string[];
  role: R;
  /** The value of each option the CLI named (e.g. --config, --data-dir). */
  options: Record<string, string>;
}

/** Parses `<command> [name] [--role r] [--password-stdin] [--<option> value]…`; -h / --help is a UsageError(''). */
export function parseUsersArgs<R extends string>(
  argv: string[],
  roles: readonly R[],
  defaultRole: R,
  valueOptions: readonly string[],
): UsersCliArgs<R> {
  const args: string[] = [];
  const options: Record<string, string> = {};
  let role = defaultRole;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${a} needs a value`);
      return v;
    };
    if (a === '--role') {
      const v = value();
      if (!(roles as readonly string[]).includes(v))
        throw new UsageError(`--role must be one of ${roles.join(', ')} (got '${v}')`);
      role = v as R;
    } else if (valueOptions.includes(a)) options[a.slice(2)] = value();
    else if (a === '--password-stdin') continue;
    else if (a === '-h' || a === '--help') throw new UsageError('');
    else if (a.startsWith('--')) throw new UsageError(`unknown option ${a}`);
    else args.push(a);
  }
  const command = args.shift();
  if (!command) throw new UsageError('');
  return { command, args, role, options };
}

/** Exit code for an error: 2 for the user's mistake (usage, passwords that differ), 1 for anything else. */
export const usersCliExitCode = (err: unknown): number =>
  err instanceof UsageError || err instanceof PasswordsDifferError ? 2 : 1;

/** Runs one command against the directory. `where` names it in the 'added' line; `addHint` is the list's hint. */
export async function runUsersCommand<R extends string>(
  p: UsersCliArgs<R>,
  users: UserDirectory<R>,
  roles: readonly R[],
  io: CliIo,
  text: { where: string; addHint: string },
): Promise<void> {
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
      io.stdout.write(`added ${n} (${p.role}) ${text.where}\n`);
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
      if (!role || !(roles as readonly string[]).includes(role))
        throw new UsageError(`role must be one of ${roles.join(', ')}`);
      await users.setRole(n, role as R);
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
      if (all.length === 0) io.stdout.write(`no users yet; add one with: ${text.addHint}\n`);
      for (const u of all) io.stdout.write(`${u.name}\t${u.role}\t${new Date(u.createdAt).toISOString()}\n`);
      return;
    }
    default:
      throw new UsageError(`unknown command '${p.command}'`);
  }
}
