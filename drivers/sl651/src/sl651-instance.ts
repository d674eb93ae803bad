/**
 * The driver instance: one per gateway, serving every SL 651 device. Devices are grouped by listen
 * address into shared servers (the SDK's station-listener skeleton); a device is recognised on the
 * wire by its station address.
 *
 * addDevice only checks and registers a device (dry runs such as `sensegate validate` call it);
 * startDevice binds the server's port, and the server closes with its last device or on stop.
 */
import { SensegateError, type DriverContext, type DriverInstance } from '@sensegate/sdk';
import type { Sl651Connection } from './config/connection.js';
import type { Sl651PointFields } from './config/point.js';
import { Sl651Listener } from './server/sl651-listener.js';
import { emptyStats, type Sl651Stats } from './server/stats.js';
import { StationDevice, type Sl651Device } from './station/station-device.js';

export interface Sl651Endpoint {
  host: string;
  /** The configured port. */
  port: number;
  /** The port actually listening (differs when `port` is 0); undefined while it cannot be bound. */
  boundPort: number | undefined;
  /** Station addresses served. */
  stations: string[];
}

export class Sl651Instance implements DriverInstance<Sl651Connection, Sl651PointFields> {
  private readonly listeners = new Map<string, Sl651Listener>();
  private readonly devices = new Map<string, { listener: Sl651Listener; station: StationDevice }>();

  constructor(private readonly context: DriverContext) {}

  async addDevice(device: Sl651Device): Promise<void> {
    const { host, port, address } = device.connection;
    if (this.devices.has(device.id)) throw new SensegateError('SG_CONFIG_INVALID', `device ${device.id} is added twice`, { driver: this.context.driver, device: device.id });
    const key = `${host}:${port}`;
    let listener = this.listeners.get(key);
    const other = listener?.server.stations.get(address);
    if (other) {
      throw new SensegateError(
        'SG_CONFIG_INVALID',
        `devices ${other.id} and ${device.id} both use station address ${address} on ${key}; a station address identifies one device per listen address`,
        { driver: this.context.driver, device: device.id },
      );
    }
    const station = new StationDevice(device, this.context);
    if (!listener) {
      listener = new Sl651Listener(host, port, this.context);
      this.listeners.set(key, listener);
    }
    listener.server.add(station);
    this.devices.set(device.id, { listener, station });
    device.log.debug({ station: address, elements: station.elements }, `station ${address} expected on ${listener.server.where}`);
  }

  /** Listens (or joins the server already listening) for the station; dry runs never call it. */
  async startDevice(device: Sl651Device): Promise<void> {
    await this.devices.get(device.id)?.listener.server.start();
  }

  async removeDevice(deviceId: string): Promise<void> {
    const entry = this.devices.get(deviceId);
    if (!entry) return;
    this.devices.delete(deviceId);
    const { server } = entry.listener;
    server.remove(entry.station.address);
    if (server.empty) {
      this.listeners.delete(`${server.host}:${server.port}`);
      await server.close();
    }
  }

  async stop(): Promise<void> {
    const listeners = [...this.listeners.values()];
    this.listeners.clear();
    this.devices.clear();
    await Promise.all(listeners.map((l) => l.server.close()));
  }

  /** Where the instance listens, with the ports actually bound: how a test finds a port-0 server. */
  endpoints(): Sl651Endpoint[] {
    return [...this.listeners.values()].map(({ server }) => ({ host: server.host, port: server.port, boundPort: server.boundPort, stations: [...server.stations.keys()] }));
  }

  /** The bound port of a device's server. */
  portOf(deviceId: string): number | undefined {
    return this.devices.get(deviceId)?.listener.server.boundPort;
  }

  /** Counters of every server, summed. */
  stats(): Sl651Stats {
    const total = emptyStats();
    for (const listener of this.listeners.values()) {
      for (const [key, value] of Object.entries(listener.counts()) as Array<[keyof Sl651Stats, number]>) total[key] += value;
    }
    return total;
  }
}

export function createSl651Instance(context: DriverContext): Sl651Instance {
  return new Sl651Instance(context);
}
