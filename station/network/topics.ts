/**
 * The MQTT topics of the workshop network, spelled in one place: the station's publisher, the hub's ingest and the
 * broker's ACL (hub/local/mosquittoConfig.ts) all build them here, so a rename cannot leave one of them behind.
 *
 *   benchqa/v1/stations/<station id>/<leaf…>      what a station publishes (it may write only under its own id):
 *                                    …/events    its outbox, in seq order (QoS 1)
 *                                    …/status    retained birth { online: true } / last will { online: false }
 *   benchqa/v1/stations/<station id>/commands     what the hub sends one station (the only topic a station reads)
 *
 * The version segment changes only with an incompatible topic layout; message schemas carry their own versions.
 */

export const TOPIC_ROOT = 'benchqa/v1';

/** The level under which every station has its own subtree. */
export const STATIONS = `${TOPIC_ROOT}/stations`;

/** Every station's topics, for the hub's one subscription. */
export const ALL_STATIONS = `${STATIONS}/#`;

/** The leaf a station reads its commands from (reference sets to check, and the like). */
export const COMMANDS = 'commands';
/** The leaf a station publishes its outbox to. */
export const EVENTS = 'events';
/** The leaf of a station's retained online/offline status. */
export const STATUS = 'status';

/** One leaf under every station, for the hub's subscriptions (the hub reads events and status, never commands). */
export const allStations = (leaf: string): string => `${STATIONS}/+/${leaf}`;

// A station id is its broker username and one topic level, so no MQTT wildcard, separator or ACL substitution
// character (%) may appear in it; the limit keeps topics and usernames short.
export const STATION_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export function isStationId(id: string): boolean {
  return STATION_ID.test(id);
}

export function assertStationId(id: string): void {
  if (!isStationId(id)) {
    throw new Error(
      `station id must be 1 to 64 letters, digits, '-' or '_', starting with a letter or digit ` +
        `(got ${JSON.stringify(id)})`,
    );
  }
}

/** `stationTopic('bench-1', 'inspections')` → `benchqa/v1/stations/bench-1/inspections`. */
export function stationTopic(stationId: string, leaf: string): string {
  assertStationId(stationId);
  // A leaf may have levels of its own, but never a wildcard: a publish topic names one place.
  if (leaf === '' || /[+#]/.test(leaf) || leaf.startsWith('/') || leaf.endsWith('/')) {
    throw new Error(`topic leaf must be non-empty level(s) with no '+' or '#' (got ${JSON.stringify(leaf)})`);
  }
  return `${STATIONS}/${stationId}/${leaf}`;
}

export function commandsTopic(stationId: string): string {
  return stationTopic(stationId, COMMANDS);
}

/** The station and leaf a received topic names, or null for a topic outside the stations' tree. */
export function parseStationTopic(topic: string): { stationId: string; leaf: string } | null {
  const prefix = `${STATIONS}/`;
  if (!topic.startsWith(prefix)) return null;
  const rest = topic.slice(prefix.length);
  const slash = rest.indexOf('/');
  if (slash <= 0 || slash === rest.length - 1) return null;
  const stationId = rest.slice(0, slash);
  return isStationId(stationId) ? { stationId, leaf: rest.slice(slash + 1) } : null;
}
