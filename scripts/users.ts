// Manage dashboard logins: `npm run users -- add <name> --role lead` (see station/server/users-cli.ts).
import { runUsersCli } from '../station/server/users-cli.ts';

process.exitCode = await runUsersCli(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
});
