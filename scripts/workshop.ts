/**
 * npm run workshop [-- --dir data/workshop] [--hub-port 8090] [--station-port 8081] [--for <seconds>]
 *
 * The workshop network on one machine: a local Mosquitto broker and PostgreSQL (Debian's, each an instance of its
 * own under the folder), the hub, and three demo stations with different makers, one of them under a drifting light.
 * Prints the workshop dashboard's address (the hub) and each station's; Ctrl-C stops everything. `--for` stops
 * after that many seconds. `npm start` stays the single bench with no broker.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { consoleLog } from '../station/runtime/consoleLog.ts';
import { demoLeadPassword, startWorkshopDemo } from './lib/workshopDemo.ts';

const { values } = parseArgs({
  options: {
    dir: { type: 'string', default: 'data/workshop' },
    'hub-port': { type: 'string', default: '8090' },
    'station-port': { type: 'string', default: '8081' },
    for: { type: 'string' },
  },
});
const log = consoleLog(
  (line) => console.log(line),
  (line) => console.error(line),
);

try {
  const demo = await startWorkshopDemo({
    dir: resolve(values.dir),
    hubPort: Number(values['hub-port']),
    firstStationPort: Number(values['station-port']),
    log,
  });
  console.log('');
  console.log(`workshop dashboard (hub): ${demo.hub.url}`);
  console.log(
    `  sign in as ${demo.lead.name}, password ${demoLeadPassword(demo.lead)} (kept in ${demo.lead.passwordFile})`,
  );
  for (const s of demo.stations) {
    console.log(`  ${s.id} (maker ${s.maker}${s.drifting ? ', light drifting' : ''}): ${s.url}`);
  }
  console.log(`data in ${resolve(values.dir)}; stop with Ctrl+C`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    log.info('stopping the stations, the hub, PostgreSQL and the broker');
    await demo.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  if (values.for) setTimeout(stop, Number(values.for) * 1000);
} catch (err) {
  log.error(`workshop: ${(err as Error).message}`);
  process.exit(1);
}
