// npm run calibrate -- <product> [--all] [--activate N] … (see station/calibrate/cli.ts).
import { runCalibrateCli } from '../station/calibrate/cli.ts';

process.exitCode = await runCalibrateCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});
