/**
 * `npm run restore -- <backup folder> [--config <file>]`: put a backup made by `npm run backup` (or the nightly one)
 * back into the station's data folder. Refuses while the station runs; checks the backup with integrity_check
 * first and the restored record after; keeps what it replaces in `<dataDir>/before-restore-<time>/`.
 */
import { resolve } from 'node:path';
import { loadConfig, resolvePath } from '../station/config.ts';
import { restoreBackup } from '../station/store/restore.ts';

const USAGE = 'usage: npm run restore -- <backup folder> [--config <station config>]';

try {
  const args = process.argv.slice(2);
  const at = args.indexOf('--config');
  const configFile = at >= 0 ? args[at + 1] : process.env.STATION_CONFIG;
  if (at >= 0 && !configFile) throw new Error(`--config needs a file\n${USAGE}`);
  const rest = args.filter((_, i) => at < 0 || (i !== at && i !== at + 1));
  if (rest.length !== 1 || rest[0].startsWith('--')) throw new Error(USAGE);
  const config = loadConfig(configFile);
  const dataDir = resolvePath(config, config.dataDir);
  const r = restoreBackup(resolve(rest[0]), dataDir);
  console.log(
    `restored ${rest[0]} (taken ${r.manifest.createdAt}) into ${dataDir}: ${r.rows.inspections} inspection(s), ` +
      `integrity ok before and after`,
  );
  if (r.setAside) {
    const images = r.evidenceSetAside ? `, with ${r.evidenceSetAside} evidence image(s) of later inspections,` : '';
    console.log(`the data it replaced is kept in ${r.setAside}${images}`);
  }
  console.log('start the station again (on a bench device: systemctl start bench-qa)');
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}
