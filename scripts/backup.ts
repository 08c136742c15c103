/**
 * `npm run backup [-- --config <file>] [--to <folder>]`: back up the station's record (SQLite online backup, safe
 * while the station runs) and its reference sets now, into the config's `backup.folder` or `--to`; then remove
 * backups older than the config's `backup.keepDays`. The station does the same every night by itself.
 */
import { loadConfig, resolvePath } from '../station/config.ts';
import { backupDataDir, pruneBackups } from '../station/store/backup.ts';

const USAGE = 'usage: npm run backup [-- --config <station config>] [--to <folder>]';

function option(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  if (at < 0) return undefined;
  const value = args[at + 1];
  if (!value || value.startsWith('--')) throw new Error(`${name} needs a value\n${USAGE}`);
  return value;
}

try {
  const args = process.argv.slice(2);
  const unknown = args.filter((a) => a.startsWith('--') && !['--config', '--to'].includes(a));
  if (unknown.length) throw new Error(`unknown option ${unknown[0]}\n${USAGE}`);
  const config = loadConfig(option(args, '--config') ?? process.env.STATION_CONFIG);
  const to = option(args, '--to');
  const folder = to ?? (config.backup ? resolvePath(config, config.backup.folder) : undefined);
  if (!folder)
    throw new Error(`no backup folder: give --to <folder>, or set "backup": {"folder": …} in the config\n${USAGE}`);
  const { dir, manifest } = await backupDataDir(resolvePath(config, config.dataDir), folder);
  console.log(
    `backup ${dir}: ${manifest.rows.inspections} inspection(s), schema ${manifest.schemaVersion}, integrity ok`,
  );
  if (!to && config.backup) {
    for (const old of pruneBackups(folder, config.backup.keepDays))
      console.log(`removed ${old} (older than ${config.backup.keepDays} days)`);
  }
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}
