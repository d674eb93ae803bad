/**
 * The driver instance: one per gateway, one session per device. Subscribed points arrive through
 * the device's subscription; polled points are read by the gateway's scheduler in batches that fit
 * the server's operation limits.
 */
import { SensegateError, type BrowseNode, type DriverContext, type DriverInstance, type PointRef, type ReadBatch, type ReadPlan, type Value } from '@sensegate/sdk';
import { clearPasswordWarning } from './config/clear-password.js';
import type { OpcuaConnection } from './config/connection.js';
import type { OpcuaPointFields } from './config/point.js';
import type { DeviceSession, OpcuaDevice, SessionStats } from './client/device-session.js';
import { parseNodeId } from './node-id.js';
import { pkiFolder } from './pki.js';

type Runtime = typeof import('./client/runtime.js');
let runtime: Promise<Runtime> | undefined;
/** node-opcua and the client code, loaded when the first device is added. */
const loadRuntime = () => (runtime ??= import('./client/runtime.js'));

export class OpcuaInstance implements DriverInstance<OpcuaConnection, OpcuaPointFields> {
  private readonly sessions = new Map<string, DeviceSession>();
  private rt: Runtime | undefined;
  readonly pki: string;

  constructor(private readonly context: DriverContext) {
    this.pki = pkiFolder(context.dataDir);
  }

  async addDevice(device: OpcuaDevice): Promise<void> {
    const where = { driver: this.context.driver, device: device.id };
    if (this.sessions.has(device.id)) throw new SensegateError('SG_CONFIG_INVALID', `device ${device.id} is added twice`, where);
    const problems = device.points.flatMap((p) => {
      const problem = parseNodeId(p.spec.nodeId).problem;
      return problem ? [`point ${p.id}: nodeId: ${problem}`] : [];
    });
    if (problems.length) throw new SensegateError('SG_CONFIG_INVALID', `device ${device.id}: ${problems.join('; ')}`, where);
    const user = device.connection.user;
    // Resolved now, so a missing secret is a configuration error rather than a failing connection.
    const password = user && 'password' in user ? this.context.secret(device.id, 'connection.user.password', user.password) : '';
    const rt = (this.rt ??= await loadRuntime());
    rt.routeLibraryLogs(this.context.log);
    const identity = rt.identityOf(device.connection, () => password, this.context.configDir);
    const session = new rt.DeviceSession(device, this.context, this.pki, identity);
    this.sessions.set(device.id, session);
    const clearPassword = clearPasswordWarning(device.id, device.connection);
    if (clearPassword) device.log.warn({ code: 'SG_CLEAR_CREDENTIALS', device: device.id, endpoint: device.connection.endpoint, securityMode: 'None' }, clearPassword);
  }

  /** Connects (and keeps reconnecting) once the gateway runs the device; dry runs never call it. */
  startDevice(device: OpcuaDevice): void {
    this.session(device.id).start();
  }

  async removeDevice(deviceId: string): Promise<void> {
    const session = this.sessions.get(deviceId);
    if (!session) return;
    this.sessions.delete(deviceId);
    await session.stop();
  }

  /** Only points with `mode: poll` are polled; the rest come through the subscription. */
  polls(device: OpcuaDevice, point: PointRef<OpcuaPointFields>): boolean {
    return point.spec.mode === 'poll';
  }

  planRead(device: OpcuaDevice, points: readonly PointRef<OpcuaPointFields>[]): ReadPlan {
    const session = this.sessions.get(device.id);
    return {
      describe: () => {
        const per = session?.limits.read ?? 1000;
        const lines: string[] = [];
        for (let i = 0; i < points.length; i += per) {
          const chunk = points.slice(i, i + per);
          lines.push(`Read ${chunk.length} node${chunk.length === 1 ? '' : 's'} (${chunk.map((p) => p.spec.nodeId).join(', ')})`);
        }
        return lines;
      },
    };
  }

  async read(device: OpcuaDevice, batch: ReadBatch<OpcuaPointFields>): Promise<void> {
    await this.session(device.id).read(batch);
  }

  async write(device: OpcuaDevice, point: PointRef<OpcuaPointFields>, value: Value): Promise<void> {
    await this.session(device.id).write(point, value);
  }

  async browse(device: OpcuaDevice, from?: string): Promise<BrowseNode[]> {
    const session = this.session(device.id);
    const live = await session.session(device.timeout);
    const start = from === undefined ? undefined : session.resolve(parseNodeId(from));
    return (await this.rt!.browseTree(live, { ...(start ? { from: start } : {}), perCall: session.limits.browse })).nodes;
  }

  async stop(): Promise<void> {
    const all = [...this.sessions.keys()];
    await Promise.all(all.map((id) => this.removeDevice(id)));
  }

  /** Counters of a device's session: sessions created, items created and re-created, stale marks. */
  stats(deviceId: string): SessionStats & { online: boolean; limits: DeviceSession['limits'] } {
    const s = this.session(deviceId);
    return { ...s.stats, online: s.online, limits: { ...s.limits } };
  }

  private session(deviceId: string): DeviceSession {
    const s = this.sessions.get(deviceId);
    if (!s) throw new SensegateError('SG_NOT_CONNECTED', `no opcua device ${deviceId} is configured`, { driver: this.context.driver, device: deviceId });
    return s;
  }
}

export function createOpcuaInstance(context: DriverContext): OpcuaInstance {
  return new OpcuaInstance(context);
}
