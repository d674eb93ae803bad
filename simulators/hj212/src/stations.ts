/**
 * Many stations in one process, for benchmarks and load tests: a thousand connections from one
 * Node process. They share one scheduler (one timer), each keeps a few kilobytes of state, and
 * their real-time frames are spread over the interval as real stations' clocks are.
 */
import { SensegateError } from '@sensegate/sdk';
import type { z } from 'zod';
import { groupMn, parseOptions, stationGroupSchema } from './options.js';
import { Station, type Hj212Station, type StationEvent } from './station.js';
import { addStats, emptyStats, type StationStats } from './stats.js';
import { Scheduler } from './time/scheduler.js';

export type StationGroupOptions = z.input<typeof stationGroupSchema> & {
  onEvent?: (event: StationEvent) => void;
};

export interface Hj212StationGroup {
  readonly stations: readonly Hj212Station[];
  /** The stations' counters, summed. */
  stats(): StationStats;
  /** The station with this MN. */
  station(mn: string): Hj212Station | undefined;
  close(): Promise<void>;
}

export async function startHj212Stations(options: StationGroupOptions): Promise<Hj212StationGroup> {
  const { onEvent, ...rest } = options;
  const { count, mnPrefix, spread, ...settings } = parseOptions(stationGroupSchema, rest, 'HJ 212 station group');
  if (mnPrefix.length + String(count).length > 24) {
    throw new SensegateError('SG_CONFIG_INVALID', `mnPrefix "${mnPrefix}" leaves no room for ${count} station numbers in a 24-character MN`);
  }
  const scheduler = new Scheduler();
  const stations: Station[] = [];
  for (let i = 1; i <= count; i++) {
    stations.push(new Station({ ...settings, mn: groupMn(mnPrefix, i) }, onEvent, { scheduler, index: i, phase: spread ? (i - 1) / count : 0 }));
  }
  const byMn = new Map(stations.map((s) => [s.mn, s] as const));
  return {
    stations,
    stats: () => stations.reduce((total, s) => addStats(total, s.stats()), emptyStats()),
    station: (mn) => byMn.get(mn),
    close: async () => {
      await Promise.all(stations.map((s) => s.close()));
    },
  };
}
