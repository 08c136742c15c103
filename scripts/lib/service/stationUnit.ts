// The station's systemd unit, rendered from plain values: no I/O here, so it is tested by string and by
// `systemd-analyze verify` alike, and `service install` on a machine without systemd can print exactly what it
// would have written.

export const STATION_UNIT = 'bench-qa.service';
export const STATION_USER = 'bench-qa';

export interface StationUnitInput {
  /** The project checkout the service runs from (node_modules, models/generated and dashboard/dist built in it). */
  projectDir: string;
  /** Absolute path of the node binary. */
  node: string;
  /** Absolute path of the station config file. */
  configFile: string;
  /** The folders the station writes: data (SQLite, evidence, reference sets), calibration, backups. */
  writableDirs: readonly string[];
  /** systemd's version on the target, for the keys older ones do not know. */
  systemdVersion: number;
  user?: string;
}

/**
 * What the station asks of systemd. The comments travel into the unit file, so whoever reads it on the device
 * sees why each limit is what it is.
 */
export function renderStationUnit(u: StationUnitInput): string {
  assertPlainPaths([u.projectDir, u.node, u.configFile, ...u.writableDirs]);
  const user = u.user ?? STATION_USER;
  // systemd 254 brought an exponential restart back-off; older ones restart at a fixed pace.
  const backOff =
    u.systemdVersion >= 254
      ? [
          '# Back-off: 5 s after the first failure, growing to 2 min over 6 restarts.',
          'RestartSteps=6',
          'RestartMaxDelaySec=2min',
        ]
      : [`# systemd ${u.systemdVersion} has no growing back-off (RestartSteps is 254+): a fixed 10 s pause.`];
  return `# Written by \`npm run service -- install\` (bench QA station); \`npm run service -- uninstall\` removes it.
[Unit]
Description=Bench QA station (inspection of handmade goods)
Documentation=file://${u.projectDir}/README.md
Wants=network-online.target
After=network-online.target
# A bench has no one to press "start" after a run of failures: never stop retrying.
StartLimitIntervalSec=0

[Service]
# The station says READY=1 once its dashboard is serving, and pings the watchdog only while frames (or a reported
# camera outage) keep coming; see station/runtime/serviceWatchdog.ts.
Type=notify
# The notifications come from a helper child (Node has no unix datagram sockets), not the main process.
NotifyAccess=all
User=${user}
Group=${user}
SupplementaryGroups=video dialout
WorkingDirectory=${u.projectDir}
ExecStart=${u.node} --import tsx ${u.projectDir}/station/main.ts --config ${u.configFile}
Environment=NODE_ENV=production OPENCV4NODEJS_DISABLE_AUTOBUILD=1 OPENCV_LOG_LEVEL=ERROR
Restart=always
RestartSec=${u.systemdVersion >= 254 ? '5s' : '10s'}
${backOff.join('\n')}
# The first start of a product with no reference set calibrates it before serving.
TimeoutStartSec=15min
TimeoutStopSec=30s
# A wedged capture loop or a stuck inspection stops the pings; after this long without one, systemd restarts.
WatchdogSec=30s
# A 2-core bench PC also drives the bench screen (the kiosk): the station may use one and a half cores, so the
# Live page and a login over ssh stay responsive during a calibration.
CPUQuota=150%
# Measured peak ~700 MiB over a 10,000-item soak (CHANGELOG): reclaim above 1 GiB, stop a leak at 1.5 GiB.
MemoryHigh=1G
MemoryMax=1536M
# Inspections answer the artisan while they wait: ahead of housekeeping, never ahead of the system.
Nice=-5
# One evidence image per inspection and a reference-set cache: far below this, but no fd leak grows unnoticed.
LimitNOFILE=4096
StandardOutput=journal
StandardError=journal
SyslogIdentifier=bench-qa
NoNewPrivileges=yes
PrivateTmp=yes
ProtectSystem=full
ProtectHome=read-only
# '-': a folder that is missing (a backup disk not plugged in) must not keep the station from starting.
ReadWritePaths=${u.writableDirs.map((d) => `-${d}`).join(' ')}

[Install]
WantedBy=multi-user.target
`;
}

/** systemd splits command lines and path lists at whitespace: such a path would start the wrong thing. */
export function assertPlainPaths(paths: readonly string[]): void {
  const odd = paths.find((p) => /[\s"'\\%$]/.test(p));
  if (odd) throw new Error(`the path "${odd}" has a space, quote, backslash, % or $: move it to a plain path`);
}
