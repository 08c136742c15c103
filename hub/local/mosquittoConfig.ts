// The text of the private broker's configuration and ACL. Pure: mosquitto.ts writes them into the broker's folder.
import { join } from 'node:path';
import { COMMANDS, STATIONS } from '../../station/network/topics.ts';
import { LOOPBACK } from './ports.ts';

export interface BrokerTls {
  /** PEM files; copied into the broker's folder so the broker's own user can read them. */
  certfile: string;
  keyfile: string;
  /** The CA that signed client certificates; only needed when clients present one. */
  cafile?: string;
}

export interface BrokerFiles {
  dir: string;
  port: number;
  /** The system user mosquitto drops to when started as root; undefined when not root. */
  runAs?: string;
  /** Paths inside the broker folder. */
  tls?: BrokerTls;
  /** Messages kept per offline persistent session (0: no limit). */
  maxQueuedMessages: number;
  /** How often the in-memory state is saved; a SIGKILL loses at most this window (a clean stop saves it all). */
  autosaveSeconds: number;
}

export const brokerPaths = (dir: string) => ({
  config: join(dir, 'mosquitto.conf'),
  passwords: join(dir, 'passwords'),
  acl: join(dir, 'acl'),
  log: join(dir, 'mosquitto.log'),
  tls: join(dir, 'tls'),
});

export function brokerConfig(f: BrokerFiles): string {
  const p = brokerPaths(f.dir);
  const lines = [
    '# Written by hub/local/mosquitto.ts on every start: edits here do not last.',
    ...(f.runAs ? [`user ${f.runAs}`] : []),
    'per_listener_settings false',
    'allow_anonymous false',
    `password_file ${p.passwords}`,
    `acl_file ${p.acl}`,
    // QoS 1 sessions (the hub's, a station's commands) and their queued messages survive a broker restart.
    'persistence true',
    `persistence_location ${f.dir}/`,
    `autosave_interval ${f.autosaveSeconds}`,
    // Mosquitto's default of 1000 would drop a long outage's backlog for the hub after the stations were told PUBACK.
    `max_queued_messages ${f.maxQueuedMessages}`,
    `log_dest file ${p.log}`,
    'log_type error',
    'log_type warning',
    'log_type notice',
    'log_type information',
    'connection_messages true',
    'log_timestamp_format %Y-%m-%dT%H:%M:%S',
    `listener ${f.port} ${LOOPBACK}`,
  ];
  if (f.tls) {
    lines.push(`certfile ${f.tls.certfile}`, `keyfile ${f.tls.keyfile}`, 'tls_version tlsv1.2');
    if (f.tls.cafile) lines.push(`cafile ${f.tls.cafile}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * A station (username = its station id) writes only under its own subtree and reads only its own commands; the hub
 * reads every station and writes every station's commands. Patterns apply to every user, the hub included, which is
 * why no station may be named like the hub.
 */
export function brokerAcl(hubUsername: string): string {
  return [
    '# Written by hub/local/mosquitto.ts on every start.',
    '# Every station: %u is the username, which is the station id.',
    `pattern write ${STATIONS}/%u/#`,
    `pattern read ${STATIONS}/%u/${COMMANDS}`,
    '',
    '# The hub.',
    `user ${hubUsername}`,
    `topic read ${STATIONS}/#`,
    `topic write ${STATIONS}/+/${COMMANDS}`,
    '',
  ].join('\n');
}
