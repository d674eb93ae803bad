/**
 * The driver instance: one per gateway, one session per camera. Cameras push (events, state), so
 * there is no `read`; commands drive PTZ; `discover` probes with WS-Discovery.
 */
import { SensegateError, type DiscoveredDevice, type DriverContext, type DriverInstance } from '@sensegate/sdk';
import { commands, type CommandName } from './commands.js';
import type { OnvifConnection } from './config/connection.js';
import { SOURCES, sourceOf, type OnvifPointFields } from './config/point.js';
import type { OnvifDevice } from './camera/device.js';
import type { CameraSession, SessionStats } from './camera/session.js';
import { discoverOnvif, discoverOptionsSchema } from './discovery/discover.js';

type Runtime = typeof import('./camera/runtime.js');
let runtime: Promise<Runtime> | undefined;
const loadRuntime = () => (runtime ??= import('./camera/runtime.js'));

export class OnvifInstance implements DriverInstance<OnvifConnection, OnvifPointFields> {
  private readonly sessions = new Map<string, CameraSession>();

  constructor(private readonly context: DriverContext) {}

  async addDevice(device: OnvifDevice): Promise<void> {
    const where = { driver: this.context.driver, device: device.id };
    if (this.sessions.has(device.id)) throw new SensegateError('SG_CONFIG_INVALID', `device ${device.id} is added twice`, where);
    const unknown = device.points.filter((p) => sourceOf(p) === undefined).map((p) => p.id);
    if (unknown.length) {
      throw new SensegateError(
        'SG_CONFIG_INVALID',
        `device ${device.id}: point${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} need${unknown.length > 1 ? '' : 's'} a \`source\` (one of ${SOURCES.join(', ')}), or an id that is one`,
        where,
      );
    }
    const c = device.connection;
    // Resolved now, so a missing secret is a configuration error rather than a failing camera.
    const password = c.password === undefined ? undefined : this.context.secret(device.id, 'connection.password', c.password);
    const rt = await loadRuntime();
    this.sessions.set(device.id, new rt.CameraSession(device, this.context, password));
  }

  startDevice(device: OnvifDevice): void {
    this.session(device.id).start();
  }

  async removeDevice(deviceId: string): Promise<void> {
    const session = this.sessions.get(deviceId);
    if (!session) return;
    this.sessions.delete(deviceId);
    await session.stop();
  }

  async command(device: OnvifDevice, command: string, args: Record<string, unknown>, signal: AbortSignal): Promise<unknown> {
    if (!(command in commands)) {
      throw new SensegateError('SG_NOT_SUPPORTED', `onvif has no command "${command}"; it has ${Object.keys(commands).join(', ')}`, { driver: this.context.driver, device: device.id });
    }
    return this.session(device.id).command(command as CommandName, args, signal);
  }

  async discover(options: Record<string, unknown>, signal: AbortSignal): Promise<DiscoveredDevice[]> {
    const parsed = discoverOptionsSchema.safeParse(options);
    if (!parsed.success) {
      throw new SensegateError('SG_CONFIG_INVALID', `onvif discovery: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'options'}: ${i.message}`).join('; ')}`, { driver: this.context.driver });
    }
    return (await discoverOnvif(parsed.data, signal)).devices;
  }

  async stop(): Promise<void> {
    await Promise.all([...this.sessions.keys()].map((id) => this.removeDevice(id)));
  }

  /** Whether the camera is connected, and its session's counters. */
  stats(deviceId: string): SessionStats & { online: boolean } {
    const s = this.session(deviceId);
    return { ...s.stats, online: s.online };
  }

  private session(deviceId: string): CameraSession {
    const s = this.sessions.get(deviceId);
    if (!s) throw new SensegateError('SG_NOT_CONNECTED', `no onvif device ${deviceId} is configured`, { driver: this.context.driver, device: deviceId });
    return s;
  }
}

export function createOnvifInstance(context: DriverContext): OnvifInstance {
  return new OnvifInstance(context);
}
