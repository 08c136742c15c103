/**
 * Where a station's messages live on the workshop broker. One tree per station, so the broker's ACL can give each
 * station its own branch (it publishes only under it and reads only its commands):
 *
 *   benchqa/v1/stations/<station>/events    the outbox, in seq order (QoS 1)
 *   benchqa/v1/stations/<station>/status    retained birth { online: true } / last will { online: false }
 *   benchqa/v1/stations/<station>/commands  what the hub asks of the station
 */
export const TOPIC_ROOT = 'benchqa/v1';

export type StationLeaf = 'events' | 'status' | 'commands';

/** A station id is one topic level: lower-case letters, digits, '-' and '_' (no '/', '+' or '#'). */
export const STATION_ID = /^[a-z0-9][a-z0-9_-]{0,62}$/;

export function stationTopic(stationId: string, leaf: StationLeaf): string {
  if (!STATION_ID.test(stationId))
    throw new Error(`station id ${JSON.stringify(stationId)} must be lower-case letters, digits, '-' or '_'`);
  return `${TOPIC_ROOT}/stations/${stationId}/${leaf}`;
}

/** Every station's branch for one leaf, for the hub's subscriptions. */
export const allStations = (leaf: StationLeaf): string => `${TOPIC_ROOT}/stations/+/${leaf}`;

/** The station id and leaf of a topic under the root, or null for anything else. */
export function parseStationTopic(topic: string): { stationId: string; leaf: StationLeaf } | null {
  const m = /^benchqa\/v1\/stations\/([^/]+)\/(events|status|commands)$/.exec(topic);
  return m && STATION_ID.test(m[1]) ? { stationId: m[1], leaf: m[2] as StationLeaf } : null;
}
