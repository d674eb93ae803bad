/**
 * The elements of each report the station sends, from its measurements. Which elements go in
 * which report follows what rain and level RTUs commonly send: the timed report (32) carries the
 * current state, the add report (33) the rain that triggered it, the hourly report (34) the past
 * hour in 5-minute steps.
 */
import { epochToStationTime, stationTimeToEpoch, type ElementToEncode } from '@sensegate/driver-sl651/protocol';
import { type Measurements, type Quantity } from './measurements.js';

const MINUTE = 60_000;

/** `now` rounded down to the minute: observation times have no seconds. */
export const toMinute = (t: number): number => Math.floor(t / MINUTE) * MINUTE;

function optional(m: Measurements, quantity: Quantity, id: string, now: number): ElementToEncode[] {
  return m.has(quantity) ? [{ id, value: m.value(quantity, now) ?? null }] : [];
}

/** Rain counted since a report that saw the counter at `previousTotal`. */
const rainSince = (m: Measurements, previousTotal: number) => Math.max(0, Math.round((m.rainTotal - previousTotal) * 10) / 10);

/** The state now: rain since the last timed report (20), total (26), today's rain (1F), level (39), voltage (38). */
export function timedElements(m: Measurements, now: number, previousTotal: number, zone: string): ElementToEncode[] {
  return [
    { id: '20', value: rainSince(m, previousTotal) },
    { id: '26', value: m.rainTotal },
    { id: '1F', value: m.rainBetween(Math.max(dayStart(now, zone), m.start), now) ?? null },
    { id: '39', value: m.value('waterLevel', now) ?? null },
    ...optional(m, 'flow', '27', now),
    ...optional(m, 'velocity', '37', now),
    { id: '38', value: m.value('batteryVoltage', now) ?? null },
  ];
}

/** Rain since the last add or timed report (20), total (26), level (39). */
export function addElements(m: Measurements, now: number, previousTotal: number): ElementToEncode[] {
  return [
    { id: '20', value: rainSince(m, previousTotal) },
    { id: '26', value: m.rainTotal },
    { id: '39', value: m.value('waterLevel', now) ?? null },
  ];
}

/**
 * The hour before `observed`: 1-hour rain (1A), total (26), rain of each 5 minutes (F4), level now
 * (39) and every 5 minutes (F5), voltage (38). Sample i covers the 5 minutes ending at
 * observed - (11 - i) * 5 min; what is before the simulator's start is sent as FF.
 */
export function hourlyElements(m: Measurements, observed: number, now: number): ElementToEncode[] {
  const marks = Array.from({ length: 12 }, (_, i) => observed - (11 - i) * 5 * MINUTE);
  return [
    { id: '1A', value: m.rainBetween(observed - 60 * MINUTE, observed) ?? null },
    { id: '26', value: m.rainTotal },
    { id: 'F4', values: marks.map((t) => rainSeriesValue(m.rainBetween(t - 5 * MINUTE, t))) },
    { id: '39', value: m.value('waterLevel', now) ?? null },
    { id: 'F5', values: marks.map((t) => levelSeriesValue(m.levelAt(t))) },
    { id: '38', value: m.value('batteryVoltage', now) ?? null },
  ];
}

// The series have fixed ranges: 0..25.4 mm per 5 minutes, 0..655.34 m.
const rainSeriesValue = (v: number | undefined) => (v === undefined ? null : Math.min(25.4, v));
const levelSeriesValue = (v: number | undefined) => (v === undefined || v < 0 ? null : Math.min(655.34, Math.round(v * 100) / 100));

/** Start of the hydrological day (08:00 local) that `now` is in. */
export function dayStart(now: number, zone: string): number {
  const local = epochToStationTime(now, zone);
  const eight = stationTimeToEpoch({ ...local, hour: 8, minute: 0, second: 0 }, zone);
  return eight <= now ? eight : eight - 24 * 3_600_000;
}
