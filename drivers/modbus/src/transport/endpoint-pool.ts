/**
 * The driver instance's connections, one per endpoint, shared by the devices on it (many unit ids
 * behind one serial server or TCP gateway). The endpoint's limits follow from its devices: the
 * strictest concurrency, the longest pause, the longest timeout to connect.
 */
import type { DeviceRef, Logger } from '@sensegate/sdk';
import type { ModbusConnection } from '../config/connection.js';
import { Endpoint, type EndpointTuning } from './endpoint.js';
import { checkSameEndpoint, endpointSettings, interFrameDelay, type EndpointSettings } from './endpoint-settings.js';

type Device = DeviceRef<ModbusConnection, object>;

const MIN_CONNECT_TIMEOUT = 1000;

interface Entry {
  endpoint: Endpoint;
  settings: EndpointSettings;
  devices: Map<string, Device>;
}

export class EndpointPool {
  private readonly entries = new Map<string, Entry>();
  private readonly byDevice = new Map<string, Entry>();

  /** The endpoint for a device (created on first use). Throws SG_CONFIG_INVALID on conflicting settings. */
  join(device: Device): Endpoint {
    const settings = endpointSettings(device.connection);
    let entry = this.entries.get(settings.key);
    if (entry) {
      const [firstId] = entry.devices.keys();
      checkSameEndpoint(entry.settings, settings, firstId!, device.id);
    }
    if (!entry) {
      entry = { settings, devices: new Map(), endpoint: undefined as unknown as Endpoint };
      entry.devices.set(device.id, device);
      entry.endpoint = new Endpoint(settings, tuningOf(entry), logOf(entry));
      this.entries.set(settings.key, entry);
    } else {
      entry.devices.set(device.id, device);
      entry.endpoint.retune(tuningOf(entry), logOf(entry));
    }
    this.byDevice.set(device.id, entry);
    return entry.endpoint;
  }

  /** Removes a device; its endpoint closes when no device is left on it. */
  async leave(deviceId: string): Promise<void> {
    const entry = this.byDevice.get(deviceId);
    if (!entry) return;
    this.byDevice.delete(deviceId);
    entry.devices.delete(deviceId);
    if (entry.devices.size === 0) {
      this.entries.delete(entry.settings.key);
      await entry.endpoint.close();
    } else {
      entry.endpoint.retune(tuningOf(entry), logOf(entry));
    }
  }

  async closeAll(): Promise<void> {
    const entries = [...this.entries.values()];
    this.entries.clear();
    this.byDevice.clear();
    await Promise.all(entries.map((e) => e.endpoint.close()));
  }
}

function tuningOf(entry: Entry): EndpointTuning {
  const devices = [...entry.devices.values()];
  const pause = Math.max(...devices.map((d) => d.connection.workarounds.pauseBetweenRequests));
  const serialBus = entry.settings.transport !== 'tcp';
  return {
    maxInFlight: serialBus || pause > 0 ? 1 : Math.min(...devices.map((d) => d.connection.maxConcurrentRequests)),
    gap: Math.max(pause, interFrameDelay(entry.settings)),
    // A connection may take longer than a request (a 4G link, a serial server waking up).
    connectTimeout: Math.max(MIN_CONNECT_TIMEOUT, ...devices.map((d) => d.timeout)),
    reconnect: devices[0]!.reconnect,
  };
}

/** The connection's state changes are logged once, on its first device's logger. */
function logOf(entry: Entry): Logger {
  const devices = [...entry.devices.values()];
  const log = devices[0]!.log;
  return devices.length === 1 ? log : log.child({ devices: devices.map((d) => d.id) });
}
