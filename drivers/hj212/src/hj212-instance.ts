/**
 * The driver instance: one per gateway, serving every HJ 212 station. Stations are grouped by
 * listen address into shared servers (the SDK's station-listener skeleton) and recognised on the
 * wire by their MN.
 *
 * addDevice only checks and registers a device (dry runs such as `sensegate validate` call it);
 * startDevice binds the server's port, and the server closes with its last device or on stop.
 */
import { SensegateError, type DriverContext, type DriverInstance, type PointRef, type Value } from '@sensegate/sdk';
import type { Hj212Connection } from './config/connection.js';
import { pointProblems, type CommandName, type Hj212PointFields } from './config/point.js';
import type { CpField } from './protocol/cp.js';
import { Hj212Listener } from './server/hj212-listener.js';
import { addStats, emptyStats, type Hj212Stats } from './server/stats.js';
import { Station, type Hj212Device } from './station/station.js';

export interface Hj212Endpoint {
  host: string;
  /** The configured port. */
  port: number;
  /** The port actually listening (differs when `port` is 0); undefined while it cannot be bound. */
  boundPort: number | undefined;
  /** MNs served. */
  stations: string[];
}

export class Hj212Instance implements DriverInstance<Hj212Connection, Hj212PointFields> {
  private readonly listeners = new Map<string, Hj212Listener>();
  private readonly devices = new Map<string, { listener: Hj212Listener; station: Station }>();

  constructor(private readonly context: DriverContext) {}

  async addDevice(device: Hj212Device): Promise<void> {
    const { host, port, mn } = device.connection;
    const where = { driver: this.context.driver, device: device.id };
    if (this.devices.has(device.id)) throw new SensegateError('SG_CONFIG_INVALID', `device ${device.id} is added twice`, where);
    const problems = device.points.flatMap((p) => pointProblems(p.spec).map((x) => `point ${p.id}: ${x.path}: ${x.message}`));
    if (problems.length) throw new SensegateError('SG_CONFIG_INVALID', `device ${device.id}: ${problems.join('; ')}`, where);
    const key = `${host}:${port}`;
    let listener = this.listeners.get(key);
    const other = listener?.server.stations.get(mn);
    if (other) {
      throw new SensegateError('SG_CONFIG_INVALID', `devices ${other.id} and ${device.id} both use MN ${mn} on ${key}; an MN identifies one station per listen address`, where);
    }
    if (!listener) {
      listener = new Hj212Listener(host, port, this.context);
      this.listeners.set(key, listener);
    }
    const { server } = listener;
    const station = new Station(device, this.context, { budget: server.reassembly, dropped: server.metrics.reassemblyDropped, lines: server.lines });
    server.add(station);
    this.devices.set(device.id, { listener, station });
    device.log.debug({ station: mn }, `station ${mn} expected on ${server.where}`);
  }

  /** Listens (or joins the server already listening) for the station; dry runs never call it. */
  async startDevice(device: Hj212Device): Promise<void> {
    await this.devices.get(device.id)?.listener.server.start();
  }

  async removeDevice(deviceId: string): Promise<void> {
    const entry = this.devices.get(deviceId);
    if (!entry) return;
    this.devices.delete(deviceId);
    const { server } = entry.listener;
    server.remove(entry.station.mn);
    if (server.empty) {
      this.listeners.delete(`${server.host}:${server.port}`);
      await server.close();
    }
  }

  /** Writing a command point sends its command; resolves when the station reports ExeRtn 1. */
  async write(device: Hj212Device, point: PointRef<Hj212PointFields>, value: Value): Promise<void> {
    const name = point.spec.command;
    if (name === undefined) {
      throw new SensegateError('SG_WRITE_REJECTED', `point ${point.id} carries data from station ${device.connection.mn}; only command points can be written`, {
        driver: this.context.driver,
        device: device.id,
        point: point.id,
      });
    }
    try {
      await this.station(device.id).command(name, value, device.timeout);
    } catch (err) {
      throw err instanceof SensegateError ? err.withContext({ driver: this.context.driver, device: device.id, point: point.id }) : err;
    }
  }

  /** Sends a named command to a station (programmatic use); the same as writing a command point. */
  sendCommand(deviceId: string, name: CommandName, value: Value = null, timeout?: number): Promise<void> {
    const station = this.station(deviceId);
    return station.command(name, value, timeout ?? station.device.timeout);
  }

  /** Sends any request to a station, e.g. `request('s1', '1000', [['OverTime', '5'], ['ReCount', '3']])`. */
  request(deviceId: string, cn: string, fields: readonly CpField[] = [], timeout?: number): Promise<void> {
    const station = this.station(deviceId);
    return station.request(cn, fields, timeout ?? station.device.timeout);
  }

  async stop(): Promise<void> {
    const listeners = [...this.listeners.values()];
    this.listeners.clear();
    this.devices.clear();
    await Promise.all(listeners.map((l) => l.server.close()));
  }

  /** Where the instance listens, with the ports actually bound: how a test finds a port-0 server. */
  endpoints(): Hj212Endpoint[] {
    return [...this.listeners.values()].map(({ server }) => ({ host: server.host, port: server.port, boundPort: server.boundPort, stations: [...server.stations.keys()] }));
  }

  /** The bound port of a device's server. */
  portOf(deviceId: string): number | undefined {
    return this.devices.get(deviceId)?.listener.server.boundPort;
  }

  /** Counters of one station, or of everything (servers and stations) summed. */
  stats(deviceId?: string): Hj212Stats {
    if (deviceId !== undefined) return { ...this.station(deviceId).stats };
    const total = emptyStats();
    for (const listener of this.listeners.values()) {
      addStats(total, listener.stats());
      for (const station of listener.server.stations.values()) addStats(total, station.stats);
    }
    return total;
  }

  private station(deviceId: string): Station {
    const entry = this.devices.get(deviceId);
    if (!entry) throw new SensegateError('SG_NOT_CONNECTED', `no hj212 device ${deviceId} is configured`, { driver: this.context.driver, device: deviceId });
    return entry.station;
  }
}

export function createHj212Instance(context: DriverContext): Hj212Instance {
  return new Hj212Instance(context);
}
