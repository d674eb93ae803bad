/**
 * Readings of the feed become HJ 212 data packets again: one packet per station, CN and DataTime,
 * the values of one pollutant together (`a34004-Avg=..,a34004-Max=..,a34004-Flag=N`), in the order
 * the readings arrived. A packet that would outgrow the standard's data segment is cut in two with
 * the same DataTime, which every platform accepts (split packets with PNUM/PNO are not).
 */
import { formatDataTime } from '../protocol/index.js';
import type { Quality, Reading } from '@sensegate/sdk';
import type { RelayStation } from './stations.js';

/** The largest CP text per packet, well inside the standard's data segment limit with the header fields. */
const MAX_CP_CHARS = 900;

export interface RelayPacket {
  station: RelayStation;
  cn: string;
  /** `DataTime=...;code-field=value,...;...` without the `CP=&&` wrapper. */
  cp: string;
  /** Readings carried, for metrics. */
  readings: number;
}

/** The HJ 212 data flag of a reading: the station's own flag when it came from a station. */
export function flagOf(reading: Pick<Reading, 'quality' | 'status'>): string {
  const status = reading.status;
  if (status?.startsWith('hj212:flag:')) return status.slice('hj212:flag:'.length);
  return FLAG_OF_QUALITY[reading.quality];
}

const FLAG_OF_QUALITY: Readonly<Record<Quality, string>> = { good: 'N', uncertain: 'M', bad: 'D' };

export function relayPackets(readings: readonly Reading[], stations: ReadonlyMap<string, RelayStation>): RelayPacket[] {
  // station + CN + ts -> pollutant code -> fields, in arrival order.
  const groups = new Map<string, { station: RelayStation; cn: string; ts: number; codes: Map<string, { fields: string[]; flag: string }>; count: number }>();
  for (const r of readings) {
    const station = stations.get(r.device);
    const point = station?.points.get(r.point);
    if (!station || !point || r.value === null) continue;
    const key = `${r.device}\u0000${point.cn}\u0000${r.ts}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { station, cn: point.cn, ts: r.ts, codes: new Map(), count: 0 }));
    let code = group.codes.get(point.code);
    if (!code) group.codes.set(point.code, (code = { fields: [], flag: flagOf(r) }));
    code.fields.push(`${point.code}-${point.field}=${formatValue(r.value)}`);
    group.count++;
  }
  const packets: RelayPacket[] = [];
  for (const g of groups.values()) {
    const head = `DataTime=${formatDataTime(g.ts, g.station.timeZone)}`;
    let cp = head;
    let carried = 0;
    for (const [code, { fields, flag }] of g.codes) {
      // Equipment state and run time carry no data flag.
      const text = g.cn === '2021' || g.cn === '2041' ? fields.join(',') : `${fields.join(',')},${code}-Flag=${flag}`;
      if (cp.length + 1 + text.length > MAX_CP_CHARS && cp !== head) {
        packets.push({ station: g.station, cn: g.cn, cp, readings: carried });
        cp = head;
        carried = 0;
      }
      cp += ';' + text;
      carried += fields.length;
    }
    packets.push({ station: g.station, cn: g.cn, cp, readings: carried });
  }
  return packets;
}

function formatValue(value: Reading['value']): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? '1' : '0';
  // HJ 212 text values may not carry its separators.
  return String(value).replace(/[;,=&]/g, ' ');
}
