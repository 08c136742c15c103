/**
 * `npm start`: run the station. With no argument it runs the embedded demo; `--config <file>`
 * (or STATION_CONFIG) points it at a real camera, serial ports and products.
 */
import { loadConfig } from './config.ts';
import { startStation, type Log } from './app.ts';
import { consoleLog } from './runtime/consoleLog.ts';

const args = process.argv.slice(2);
const at = args.indexOf('--config');
const configPath = at >= 0 ? args[at + 1] : process.env.STATION_CONFIG;
const log: Log = consoleLog(
  (line) => console.log(line),
  (line) => console.error(line),
);

try {
  const config = loadConfig(configPath);
  log.info(configPath ? `config ${configPath}` : 'no config given: running the embedded demo station');
  const station = await startStation(config, log);
  log.info(`dashboard: ${station.url.replace('0.0.0.0', 'localhost')}  (stop with Ctrl+C)`);
  let closing = false;
  const stop = async () => {
    if (closing) return;
    closing = true;
    log.info('stopping');
    await station.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
} catch (err) {
  // One message for the person, no stack trace: every error the station raises names its cause.
  log.error((err as Error).message);
  process.exit(1);
}
