/**
 * Which readings the HJ 212 relay sends, and as what: for every relayed station its MN, password,
 * ST and time zone, and for every point the CN (real-time, minute, hour, day or state data) and the
 * CP key (`a34004-Avg`) it came from. Built once from the gateway's configuration.
 */
import { SensegateError, type SinkContext, type SinkDevice } from '@sensegate/sdk';
import { DATA_KINDS, defaultField, type DataKind } from '../config/point.js';
import type { Hj212SinkConfig } from './schema.js';

export interface RelayPoint {
  cn: string;
  code: string;
  field: string;
}

export interface RelayStation {
  device: string;
  mn: string;
  password: string;
  st: string;
  timeZone: string;
  points: ReadonlyMap<string, RelayPoint>;
}

interface Hj212Connection {
  mn?: string;
  password?: string | { reveal(): string };
  timeZone?: string;
  st?: string;
}

export function relayStations(
  config: Hj212SinkConfig,
  devices: readonly SinkDevice[],
  context: Pick<SinkContext, 'name' | 'secret'>,
): Map<string, RelayStation> {
  const where = `sink ${context.name}`;
  const stations = devices.filter((d) => d.enabled && d.driver === 'hj212');
  const byId = new Map(stations.map((d) => [d.id, d]));
  for (const id of [...(config.devices ?? []), ...config.stations.map((s) => s.device)]) {
    if (!byId.has(id)) {
      throw new SensegateError('SG_CONFIG_INVALID', `${where}: device "${id}" is not an enabled hj212 device of this gateway`, { source: where });
    }
  }
  const chosen = config.devices ? config.devices.map((id) => byId.get(id)!) : stations;
  const overrides = new Map(config.stations.map((s) => [s.device, s]));
  const out = new Map<string, RelayStation>();
  for (const device of chosen) {
    const connection = device.connection as Hj212Connection;
    const override = overrides.get(device.id);
    const password = override?.password
      ? context.secret(`stations.${device.id}.password`, override.password)
      : typeof connection.password === 'string'
        ? connection.password
        : (connection.password?.reveal() ?? '');
    const points = new Map<string, RelayPoint>();
    for (const point of device.points) {
      const code = point.code;
      if (typeof code !== 'string' || !point.enabled) continue; // command points and disabled points carry no data
      const data = (typeof point.data === 'string' ? point.data : 'realtime') as DataKind;
      // A kind carried by several CNs (equipment state) is relayed under its first.
      const cn = DATA_KINDS[data]?.[0];
      if (!cn) continue;
      const field = typeof point.field === 'string' ? point.field : defaultField(data);
      points.set(point.id, { cn, code, field });
    }
    out.set(device.id, {
      device: device.id,
      mn: override?.mn ?? connection.mn ?? device.id,
      password,
      st: override?.st ?? connection.st ?? config.st,
      timeZone: connection.timeZone ?? 'Asia/Shanghai',
      points,
    });
  }
  return out;
}
