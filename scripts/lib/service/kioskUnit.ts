// The bench screen's systemd unit: Debian's `cage` (a Wayland compositor that shows one application full-screen
// and nothing else) running Chromium in kiosk mode on the Live page. Pure rendering, like stationUnit.ts.
import { assertPlainPaths, STATION_UNIT } from './stationUnit.ts';

export const KIOSK_UNIT = 'bench-qa-kiosk.service';
export const KIOSK_USER = 'bench-qa-kiosk';
/** Its own PAM service: a session that logind registers on the seat (so the compositor may use the screen and
 * input devices) with no password asked, since the kiosk has no keyboard and shows nothing but the Live page. */
export const KIOSK_PAM = 'bench-qa-kiosk';

export interface KioskUnitInput {
  /** The Live page in kiosk layout, e.g. http://127.0.0.1:8080/?kiosk=1 */
  url: string;
  /** The station's /healthz, waited for before the browser opens. */
  healthUrl: string;
  node: string;
  projectDir: string;
  cage: string;
  chromium: string;
  /** The virtual terminal the screen shows at boot. */
  tty?: string;
  user?: string;
}

/** Chromium as a kiosk: no address bar, no prompts or bubbles, no swipe back, a throwaway profile. */
export function kioskBrowserArgs(url: string): string[] {
  return [
    '--kiosk',
    '--ozone-platform=wayland',
    '--incognito', // no "restore pages?" bubble after a power cut
    '--noerrdialogs',
    '--disable-infobars',
    '--disable-session-crashed-bubble',
    '--disable-translate',
    '--no-first-run',
    '--disable-sync',
    '--disable-pinch',
    '--overscroll-history-navigation=0',
    '--check-for-update-interval=31536000',
    url,
  ];
}

export function renderKioskUnit(k: KioskUnitInput): string {
  assertPlainPaths([k.projectDir, k.node, k.cage, k.chromium, k.url]);
  const tty = k.tty ?? 'tty1';
  const user = k.user ?? KIOSK_USER;
  return `# Written by \`npm run service -- kiosk\` (bench QA station); \`npm run service -- uninstall\` removes it.
[Unit]
Description=Bench QA kiosk: the Live page full-screen on the bench screen
Documentation=file://${k.projectDir}/README.md
# The screen shows the Live page only once the station serves it (the station is Type=notify: READY=1 means
# serving). Wants, not Requires: a station restart must not take the screen down with it; the page reconnects.
Wants=${STATION_UNIT}
After=${STATION_UNIT} systemd-user-sessions.service systemd-logind.service dbus.socket
# The screen's terminal belongs to the kiosk: no login prompt on it.
Conflicts=getty@${tty}.service
After=getty@${tty}.service
ConditionPathExists=/dev/${tty}
StartLimitIntervalSec=0

[Service]
User=${user}
PAMName=${KIOSK_PAM}
TTYPath=/dev/${tty}
TTYReset=yes
TTYVHangup=yes
TTYVTDisallocate=yes
StandardInput=tty-fail
StandardOutput=journal
StandardError=journal
SyslogIdentifier=bench-qa-kiosk
UtmpIdentifier=${tty}
UtmpMode=user
# A browser restarted while the station itself restarts would open an error page: wait until it answers.
ExecStartPre=${k.node} ${k.projectDir}/scripts/lib/service/waitForStation.mjs ${k.healthUrl} 300
# cage shows one application full-screen and has no idle blanking of its own; when the browser exits, cage
# exits, and systemd starts both again.
ExecStart=${k.cage} -d -- ${k.chromium} ${kioskBrowserArgs(k.url).join(' ')}
Restart=always
RestartSec=3s

[Install]
WantedBy=graphical.target
`;
}

/** The PAM service the kiosk session opens: account checks and a logind session, no authentication step. */
export function renderKioskPam(): string {
  return `# Written by \`npm run service -- kiosk\` (bench QA station): the kiosk's session on the bench screen.
auth     required pam_permit.so
account  required pam_unix.so
session  required pam_env.so
session  required pam_systemd.so
`;
}
