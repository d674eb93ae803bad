import { createHook } from 'node:async_hooks';
import { z } from 'zod';
import type { DeviceRef, Driver, DriverInstance } from '../driver.js';
import { isDriver } from '../driver.js';
import { SensegateError } from '../errors.js';
import { basePointShape } from '../schema.js';
import type { TestContext } from './context.js';
import { pollOnce } from './poll.js';
import { waitFor } from './wait.js';

function fieldsWithoutDescription(schema: z.ZodType, path: string, out: string[]): void {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<string, { description?: string }>;
  };
  for (const [name, field] of Object.entries(json.properties ?? {})) {
    if (!field.description) out.push(`${path}.${name}`);
  }
}

/**
 * Checks a driver definition: it is made with defineDriver, its schemas describe every field (the
 * gateway's config reference and JSON Schema are generated from them), and its point fields do not
 * redefine the generic ones. Returns the problems; an empty list means it conforms.
 */
export function checkDefinition(driver: unknown): string[] {
  if (!isDriver(driver)) return ['the module does not default-export defineDriver({...}) from @sensegate/sdk'];
  const problems: string[] = [];
  const undocumented: string[] = [];
  fieldsWithoutDescription(driver.connection, 'connection', undocumented);
  fieldsWithoutDescription(driver.point, 'point', undocumented);
  if (undocumented.length) problems.push(`fields without .describe(): ${undocumented.join(', ')}`);
  const clash = Object.keys(driver.point.shape).filter((k) => k in basePointShape);
  if (clash.length) problems.push(`point fields redefine generic fields: ${clash.join(', ')}`);
  if (!/^\d+\.\d+\.\d+/.test(driver.version)) problems.push(`version "${driver.version}" is not semver`);
  return problems;
}

export interface ConformanceOptions<C, P> {
  /** A device the driver can reach (usually a simulator) with at least one point. */
  device: DeviceRef<C, P>;
  instance: DriverInstance<C, P>;
  /** A device that cannot be reached (closed port, absent serial path); its reads must fail, not hang or throw. */
  unreachable?: DeviceRef<C, P>;
  /**
   * Push drivers (and drivers that push some points, see `polls`): the context the instance was
   * created with, and a function that makes the device speak (a simulator sending a report). The kit then checks that values arrive for the device's
   * configured points only, and that the device was reported online.
   */
  push?: { context: TestContext; speak: () => Promise<void>; timeout?: number };
}

/**
 * Runs the contract's obligations against a live instance and returns the problems found:
 * `addDevice` opens no socket and binds no port (`checkAddOpensNothing`); every point of a batch ends with a value or an error; an unreachable device makes bad-quality
 * results with retryable sensegate errors instead of throwing out of `read` or hanging past its
 * timeout; `removeDevice` and `stop` settle.
 */
export async function checkDriver<C, P>(driver: Driver, options: ConformanceOptions<C, P>): Promise<string[]> {
  const problems = checkDefinition(driver);
  const { instance, device } = options;
  problems.push(...(await checkAddOpensNothing(instance, device)));
  await instance.startDevice?.(device);
  // Drivers that push some points and poll others (`polls`) are checked both ways.
  const polled = instance.read ? device.points.filter((p) => instance.polls?.(device, p) ?? true) : [];
  if (polled.length < device.points.length || !instance.read) await checkPush(device, options, problems);
  if (!instance.read || polled.length === 0) {
    await instance.removeDevice(device.id);
    await instance.stop();
    return problems;
  }
  const first = await pollOnce(instance, device, polled);
  if (first.unset.length) problems.push(`read() left points unset: ${first.unset.join(', ')}`);
  if (first.thrown !== undefined && !(first.thrown instanceof SensegateError)) {
    problems.push(`read() threw a non-sensegate error: ${String(first.thrown)}`);
  }
  if (instance.planRead && typeof instance.planRead(device, polled).describe !== 'function') {
    problems.push('planRead() returned a plan without describe()');
  }
  if (options.unreachable) {
    await instance.addDevice(options.unreachable);
    await instance.startDevice?.(options.unreachable);
    const started = performance.now();
    const unreachablePolled = options.unreachable.points.filter((p) => instance.polls?.(options.unreachable!, p) ?? true);
    const result = await pollOnce(instance, options.unreachable, unreachablePolled);
    const limit = options.unreachable.timeout * 3 + 2000;
    if (performance.now() - started > limit) problems.push(`a read of an unreachable device took longer than ${limit} ms`);
    if (result.points.some((p) => p.quality !== 'bad')) problems.push('an unreachable device produced non-bad readings');
    const errors = result.points.map((p) => p.error).filter((e): e is SensegateError => e !== undefined);
    if (errors.length && errors.some((e) => !e.retryable)) problems.push('an unreachable device produced non-retryable errors');
    await instance.removeDevice(options.unreachable.id);
  }
  await instance.removeDevice(device.id);
  await instance.stop();
  return problems;
}

/** Resources that mean a socket or a listening port: a server, a connection (or one being made), a datagram socket. */
const NETWORK_RESOURCES: Record<string, string> = {
  TCPSERVERWRAP: 'listening TCP server',
  TCPWRAP: 'TCP socket',
  TCPCONNECTWRAP: 'TCP connection attempt',
  UDPWRAP: 'UDP socket',
  PIPESERVERWRAP: 'listening pipe',
};

/**
 * Adds the device and checks that adding it opened no socket and bound no port: `addDevice` is what
 * dry runs (`sensegate validate`, `sensegate plan`) call, and they must leave the site's ports and
 * devices alone; connecting and listening belong in `startDevice`. Every network resource the
 * process creates while `addDevice` runs (and just after, for work it set going without awaiting)
 * counts, so nothing else in the process should open one meanwhile.
 */
export async function checkAddOpensNothing<C, P>(instance: Pick<DriverInstance<C, P>, 'addDevice'>, device: DeviceRef<C, P>): Promise<string[]> {
  const opened = new Map<string, number>();
  const hook = createHook({
    init(_id, type) {
      const what = NETWORK_RESOURCES[type];
      if (what) opened.set(what, (opened.get(what) ?? 0) + 1);
    },
  });
  hook.enable();
  try {
    await instance.addDevice(device);
    // Let a connect or listen that addDevice set going without awaiting it (on the next tick) show up.
    await new Promise((resolve) => setTimeout(resolve, 20));
  } finally {
    hook.disable();
  }
  if (opened.size === 0) return [];
  const list = [...opened].map(([what, count]) => `${count} ${what}${count === 1 ? '' : 's'}`).join(', ');
  return [`addDevice(${device.id}) opened ${list}; connect and listen in startDevice, which dry runs (validate, plan) never call`];
}

/** A push driver: once the device speaks, its configured points get values and it is online. */
async function checkPush<C, P>(device: DeviceRef<C, P>, options: ConformanceOptions<C, P>, problems: string[]): Promise<void> {
  if (!options.push) {
    problems.push('the driver has no read(): pass `push: { context, speak }` so the kit can check what it publishes');
    return;
  }
  const { context, speak, timeout = 10_000 } = options.push;
  const configured = new Set(device.points.map((p) => p.id));
  const before = context.published.length;
  await speak();
  try {
    await waitFor(`values from ${device.id}`, () => context.published.slice(before).some((p) => p.device === device.id), { timeout });
  } catch {
    problems.push(`no value was published for ${device.id} within ${timeout} ms of it speaking`);
    return;
  }
  const mine = context.published.slice(before).filter((p) => p.device === device.id);
  const unknown = [...new Set(mine.map((p) => p.point).filter((id) => !configured.has(id)))];
  if (unknown.length) problems.push(`values were published for points that are not configured: ${unknown.join(', ')}`);
  if (!context.healthChanges.some((h) => h.device === device.id && h.state === 'online')) {
    problems.push(`${device.id} spoke but was never reported online with context.health()`);
  }
}
