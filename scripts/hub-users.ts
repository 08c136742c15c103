// Manage the hub's lead logins: `npm run hub:users -- --config hub.json add <name>` (see hub/users-cli.ts).
import { runHubUsersCli } from '../hub/users-cli.ts';

process.exitCode = await runHubUsersCli(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
});
