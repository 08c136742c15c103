/** `npm run hub -- --config hub.json`: the workshop hub, until SIGINT or SIGTERM. */
import { HubConfigError, loadHubConfig } from './config.ts';
import { startHub } from './hub.ts';

const log = {
  info: (m: string) => console.log(m),
  warn: (m: string) => console.warn(m),
  error: (m: string, extra?: Record<string, unknown>) => console.error(m, extra?.error ?? ''),
};

const at = process.argv.indexOf('--config');
const file = at >= 0 ? process.argv[at + 1] : undefined;
if (!file) {
  console.error('usage: npm run hub -- --config <hub.json>   (see README "The workshop network")');
  process.exit(2);
}
try {
  const hub = await startHub(loadHubConfig(file), log);
  log.info(`workshop hub on ${hub.url}`);
  const stop = () => void hub.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (err) {
  console.error(err instanceof HubConfigError ? `hub config: ${err.message}` : `hub: ${(err as Error).message}`);
  process.exit(1);
}
