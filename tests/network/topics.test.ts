import { describe, expect, it } from 'vitest';
import {
  ALL_STATIONS,
  assertStationId,
  commandsTopic,
  parseStationTopic,
  stationTopic,
  TOPIC_ROOT,
} from '../../station/network/topics.ts';

describe('workshop topics', () => {
  it('puts every station under one versioned root', () => {
    expect(TOPIC_ROOT).toBe('benchqa/v1');
    expect(stationTopic('bench-1', 'inspections')).toBe('benchqa/v1/stations/bench-1/inspections');
    expect(stationTopic('bench-1', 'refsets/versions')).toBe('benchqa/v1/stations/bench-1/refsets/versions');
    expect(commandsTopic('bench-1')).toBe('benchqa/v1/stations/bench-1/commands');
    expect(ALL_STATIONS).toBe('benchqa/v1/stations/#');
  });

  it.each(['', 'bench/1', 'bench+', 'bench#', '%u', '-bench', 'bench 1', 'x'.repeat(65)])(
    'refuses the station id %j, which is a broker username and one topic level',
    (id) => {
      expect(() => assertStationId(id)).toThrow(/station id must be/);
      expect(() => stationTopic(id, 'inspections')).toThrow(/station id must be/);
    },
  );

  it.each(['', '#', 'a/+/b', '/a', 'a/'])('refuses the leaf %j: a publish topic names one place', (leaf) => {
    expect(() => stationTopic('bench-1', leaf)).toThrow(/topic leaf/);
  });

  it('reads the station and leaf back from a received topic', () => {
    expect(parseStationTopic('benchqa/v1/stations/bench-1/inspections')).toEqual({
      stationId: 'bench-1',
      leaf: 'inspections',
    });
    expect(parseStationTopic('benchqa/v1/stations/bench-1/a/b')).toEqual({ stationId: 'bench-1', leaf: 'a/b' });
    for (const t of ['benchqa/v1/stations/bench-1', 'benchqa/v1/stations/bench-1/', 'benchqa/v2/stations/a/b', 'x']) {
      expect(parseStationTopic(t)).toBeNull();
    }
  });
});
