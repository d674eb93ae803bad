import type { DeviceRef, Driver, DriverInstance, PointRef } from '../driver.js';
import { isDriver } from '../driver.js';
import { isSensegateError } from '../errors.js';
import { basePointShape, isReadPoint } from '../schema.js';
import { createTestContext, type TestContext } from './context.js';
import { checkCliFields, fieldsWithoutDescription } from './kit/cli-fields.js';
import { checkWritesAndCommands, type CommandSample, type WriteSample } from './kit/commands.js';
import { ABORT_GRACE, settleWithin, timedPoll } from './kit/deadline.js';
import { activeResources, leftBehind } from './kit/resources.js';
import { checkAddOpensNothing } from './kit/sockets.js';
import { waitFor } from './wait.js';

/**
 * Checks a driver definition: it is made with defineDriver, its schemas describe every field (the
 * gateway's config reference and JSON Schema are generated from them), its point fields do not
 * redefine the generic ones, and what it adds to the command line is usable: discover and browse
 * options described (they are flags), tools with a summary, help and run, and a simulator named by
 * its package. Returns the problems; an empty list means it conforms.
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
  problems.push(...checkCliFields(driver));
  return problems;
}

export interface ConformanceOptions<C, P> {
  /** A device the driver can reach (usually a simulator) with at least one point. */
  device: DeviceRef<C, P>;
  /**
   * The instance to check. Leave it out to let the kit create it (with `push.context` or a new test
   * context): the check for handles and timers left behind then counts from before `create`.
   */
  instance?: DriverInstance<C, P>;
  /** A device that cannot be reached (closed port, absent serial path); its reads must fail, not hang or throw. */
  unreachable?: DeviceRef<C, P>;
  /**
   * Push drivers (and drivers that push some points, see `polls`): the context the instance was
   * created with, and a function that makes the device speak (a simulator sending a report). The kit then checks that values arrive for the device's
   * configured points only, and, for a device with no polled point, that it was reported online.
   */
  push?: { context: TestContext; speak: () => Promise<void>; timeout?: number };
  /** A value to write to each writable point of `device` (and one the device refuses, if any). */
  writes?: Readonly<Record<string, WriteSample>>;
  /** Arguments for each command the driver declares (and arguments the device refuses, if any). */
  commands?: Readonly<Record<string, CommandSample>>;
  /**
   * Makes the reachable device stop answering while keeping its connection open (a simulator's
   * "no response" fault), and returns a function that makes it answer again. The kit then reads
   * with `batch.signal` aborted at the device's timeout and checks the read settles promptly.
   */
  stall?: () => Promise<() => Promise<void>>;
  /**
   * Stops the device's simulator and starts it again on the same port. The kit then checks the
   * driver reads good values again (or, pushing, publishes again) without a new `addDevice`.
   */
  restart?: () => Promise<void>;
  /** How long the driver may take to read good values after `restart` (default 20,000 ms). */
  reconnectTimeout?: number;
  /**
   * Stops what the test started during the check (a station that dialled in from `speak`), after
   * the driver stopped and before the kit counts what is left: only the driver's own should be.
   */
  afterStop?: () => Promise<void>;
}

/**
 * Runs the contract's obligations against a live instance and returns the problems found, each
 * naming the driver, the device, the point and what to fix:
 * - `addDevice` opens no socket and binds no port (`checkAddOpensNothing`);
 * - every point of a batch ends with a value or an error; write-only points are never read;
 * - a read settles once `batch.signal` aborts at the device's timeout, and never hangs;
 * - an unreachable device makes bad-quality results with retryable sensegate errors instead of
 *   throwing out of `read` or hanging past its timeout;
 * - writable points and declared commands work against the device, and refusals carry a code;
 * - after the simulator restarts, the driver reads good values again by itself;
 * - `removeDevice` and `stop` settle, leaving no socket, server or timer behind.
 */
export async function checkDriver<C, P>(driver: Driver, options: ConformanceOptions<C, P>): Promise<string[]> {
  const problems = checkDefinition(driver);
  const { device } = options;
  const before = activeResources();
  const instance = options.instance ?? (driver.create(options.push?.context ?? createTestContext()) as unknown as DriverInstance<C, P>);
  const at = (d: DeviceRef<C, P>, point?: string) => `${driver.name}: device ${d.id}${point ? `, point ${point}` : ''}`;
  problems.push(...(await checkAddOpensNothing(instance, device)).map((p) => `${driver.name}: ${p}`));
  await instance.startDevice?.(device);
  const { polled, pushed } = split(instance, device);
  if (pushed.length) await checkPush(driver, device, pushed, { demandHealth: polled.length === 0, polling: instance.read !== undefined }, options, problems);
  if (polled.length) await checkReads(driver, instance, device, polled, options, problems);
  await checkWritesAndCommands({
    driver,
    instance,
    device,
    writes: options.writes ?? {},
    commands: options.commands ?? {},
    timeout: device.timeout + ABORT_GRACE,
    problems,
  });
  if (options.restart) await checkRestart(driver, instance, device, polled, pushed, options, problems);
  if (options.unreachable && instance.read) await checkUnreachable(driver, instance, options.unreachable, problems);
  const ends: Array<[string, () => unknown]> = [
    ['removeDevice()', () => instance.removeDevice(device.id)],
    ['stop()', () => instance.stop()],
  ];
  for (const [name, end] of ends) {
    const done = await settleWithin(Promise.resolve().then(end), 10_000);
    if (done.timedOut) problems.push(`${at(device)}: ${name} did not settle within 10000 ms: close connections without waiting on the device`);
    else if (done.error !== undefined) problems.push(`${at(device)}: ${name} threw: ${String(done.error)}`);
  }
  await options.afterStop?.();
  const left = await leftBehind(before);
  if (left.length) {
    problems.push(`${driver.name}: ${left.join(', ')} still active after stop(): close every socket and server and clear every timer in removeDevice() and stop()`);
  }
  return problems;
}

/** The points the gateway polls and those it expects the driver to push; write-only points are neither. */
function split<C, P>(instance: DriverInstance<C, P>, device: DeviceRef<C, P>): { polled: PointRef<P>[]; pushed: PointRef<P>[] } {
  const readable = device.points.filter((p) => isReadPoint(p.spec));
  if (!instance.read) return { polled: [], pushed: readable };
  const polled = readable.filter((p) => instance.polls?.(device, p) ?? true);
  return { polled, pushed: readable.filter((p) => !polled.includes(p)) };
}

/** Reads of a reachable device: every point set, the signal honoured, nothing thrown but sensegate errors. */
async function checkReads<C, P>(
  driver: Driver,
  instance: DriverInstance<C, P>,
  device: DeviceRef<C, P>,
  polled: PointRef<P>[],
  options: ConformanceOptions<C, P>,
  problems: string[],
): Promise<void> {
  const at = `${driver.name}: device ${device.id}`;
  const first = await timedPoll(instance, device, polled);
  if (first.hung) {
    problems.push(
      `${at}: read() of a reachable device neither settled within its timeout (${device.timeout} ms) nor within ${ABORT_GRACE} ms of batch.signal aborting: ` +
        'end every request at the device\'s timeout and when batch.signal aborts (abortable(promise, signal) from the SDK)',
    );
    return;
  }
  const result = first.result!;
  if (result.unset.length) problems.push(`${at}, point ${result.unset.join(', ')}: read() left the point unset: set every point by index with good(), set() or fail()`);
  if (result.thrown !== undefined && !isSensegateError(result.thrown)) {
    problems.push(`${at}: read() threw a non-sensegate error: ${String(result.thrown)}: throw or fail() with a SensegateError`);
  }
  if (instance.planRead && typeof instance.planRead(device, polled).describe !== 'function') {
    problems.push(`${at}: planRead() returned a plan without describe()`);
  }
  if (options.stall) await checkAbort(driver, instance, device, polled, options.stall, problems);
}

/** A device that stops answering: the read must settle once the signal aborts, its points failed. */
async function checkAbort<C, P>(
  driver: Driver,
  instance: DriverInstance<C, P>,
  device: DeviceRef<C, P>,
  polled: PointRef<P>[],
  stall: () => Promise<() => Promise<void>>,
  problems: string[],
): Promise<void> {
  const at = `${driver.name}: device ${device.id}`;
  const resume = await stall();
  try {
    const poll = await timedPoll(instance, device, polled);
    if (poll.hung) {
      problems.push(
        `${at}: read() did not settle within ${ABORT_GRACE} ms of batch.signal aborting at the device's timeout (${device.timeout} ms) while the device was silent: ` +
          'listen to batch.signal and fail the batch\'s points when it aborts',
      );
      return;
    }
    const good = poll.result!.points.filter((p) => p.quality !== 'bad');
    if (good.length) problems.push(`${at}, point ${good.map((p) => p.id).join(', ')}: a silent device produced a non-bad reading`);
    if (poll.result!.unset.length) problems.push(`${at}, point ${poll.result!.unset.join(', ')}: the read after an abort left the point unset: fail() it with the abort's reason`);
  } finally {
    await resume();
  }
}

async function checkUnreachable<C, P>(driver: Driver, instance: DriverInstance<C, P>, unreachable: DeviceRef<C, P>, problems: string[]): Promise<void> {
  const at = `${driver.name}: device ${unreachable.id}`;
  await instance.addDevice(unreachable);
  await instance.startDevice?.(unreachable);
  const { polled } = split(instance, unreachable);
  const started = performance.now();
  const result = await settleWithin(
    timedPoll(instance, unreachable, polled),
    unreachable.timeout * 3 + 2000,
  );
  const poll = result.value;
  if (result.timedOut || !poll || poll.hung) {
    problems.push(`${at}: a read of an unreachable device did not settle within its timeout and ${ABORT_GRACE} ms of the abort: give connecting a deadline`);
  } else {
    const limit = unreachable.timeout * 3 + 2000;
    if (performance.now() - started > limit) problems.push(`${at}: a read of an unreachable device took longer than ${limit} ms`);
    const points = poll.result!.points;
    const notBad = points.filter((p) => p.quality !== 'bad');
    if (notBad.length) problems.push(`${at}, point ${notBad.map((p) => p.id).join(', ')}: an unreachable device produced non-bad readings`);
    const fatal = points.filter((p) => p.error && !p.error.retryable);
    if (fatal.length) {
      problems.push(`${at}, point ${fatal.map((p) => p.id).join(', ')}: an unreachable device produced non-retryable errors (${fatal[0]!.error!.code}): fail with SG_NOT_CONNECTED, SG_CONNECT_REFUSED or SG_CONNECT_TIMEOUT`);
    }
  }
  await instance.removeDevice(unreachable.id);
}

/** The simulator restarts on the same port: the driver must find it again by itself. */
async function checkRestart<C, P>(
  driver: Driver,
  instance: DriverInstance<C, P>,
  device: DeviceRef<C, P>,
  polled: PointRef<P>[],
  pushed: PointRef<P>[],
  options: ConformanceOptions<C, P>,
  problems: string[],
): Promise<void> {
  const at = `${driver.name}: device ${device.id}`;
  const timeout = options.reconnectTimeout ?? 20_000;
  /** The values each pushed point had while the device was up. */
  const healthy = new Map<string, Set<string>>();
  for (const p of options.push?.context.published ?? []) {
    if (p.device !== device.id || p.options.quality === 'bad') continue;
    let values = healthy.get(p.point);
    if (!values) healthy.set(p.point, (values = new Set()));
    values.add(JSON.stringify(p.value));
  }
  await options.restart!();
  const fix = 'reconnect with backoff when the connection is lost (Backoff from the SDK), without waiting for a new addDevice()';
  if (polled.length) {
    let last = '';
    try {
      await waitFor(
        `good values from ${device.id} after its restart`,
        async () => {
          const poll = await timedPoll(instance, device, polled);
          if (poll.hung) return (last = 'a read hung'), false;
          const bad = poll.result!.points.find((p) => p.quality !== 'good');
          if (bad) last = `point ${bad.id}: ${bad.status ?? 'no value'}`;
          return bad === undefined;
        },
        { timeout, interval: 100 },
      );
    } catch {
      problems.push(`${at}: no good values within ${timeout} ms of its simulator restarting on the same port (last: ${last}): ${fix}`);
    }
  }
  if (pushed.length && options.push) {
    // Data flowing again, not the driver's word that the device went away (an `online` point set to
    // false): a value the device gave while it was up, or any number for a point that had numbers
    // then (a measurement moves).
    const again = (p: TestContext['published'][number]): boolean => {
      const seen = healthy.get(p.point);
      if (p.device !== device.id || p.options.quality === 'bad' || seen === undefined) return false;
      return seen.has(JSON.stringify(p.value)) || (typeof p.value === 'number' && [...seen].some((v) => typeof JSON.parse(v) === 'number'));
    };
    const { context, speak } = options.push;
    const before = context.published.length;
    try {
      await waitFor(
        `values from ${device.id} after its restart`,
        async () => {
          await speak();
          return context.published.slice(before).some(again);
        },
        { timeout, interval: 250 },
      );
    } catch {
      problems.push(`${at}: nothing published within ${timeout} ms of its simulator restarting on the same port: ${fix}`);
    }
  }
}

/** What a device pushes: values for its configured, readable points only, and health when nothing is polled. */
async function checkPush<C, P>(
  driver: Driver,
  device: DeviceRef<C, P>,
  pushed: PointRef<P>[],
  { demandHealth, polling }: { demandHealth: boolean; polling: boolean },
  options: ConformanceOptions<C, P>,
  problems: string[],
): Promise<void> {
  const at = `${driver.name}: device ${device.id}`;
  if (!options.push) {
    const why = polling ? `polls() says the driver pushes point ${pushed.map((p) => p.id).join(', ')}` : 'the driver has no read()';
    problems.push(`${at}: ${why}: pass \`push: { context, speak }\` so the kit can check what it publishes`);
    return;
  }
  const { context, speak, timeout = 10_000 } = options.push;
  const configured = new Set(device.points.map((p) => p.id));
  const writeOnly = new Set(device.points.filter((p) => !isReadPoint(p.spec)).map((p) => p.id));
  const before = context.published.length;
  await speak();
  try {
    await waitFor(`values from ${device.id}`, () => context.published.slice(before).some((p) => p.device === device.id), { timeout });
  } catch {
    problems.push(`${at}: no value was published within ${timeout} ms of the device speaking`);
    return;
  }
  const mine = context.published.slice(before).filter((p) => p.device === device.id);
  const unknown = [...new Set(mine.map((p) => p.point).filter((id) => !configured.has(id)))];
  if (unknown.length) problems.push(`${at}, point ${unknown.join(', ')}: values were published for points that are not configured: publish configured points only`);
  const written = [...new Set(mine.map((p) => p.point).filter((id) => writeOnly.has(id)))];
  if (written.length) problems.push(`${at}, point ${written.join(', ')}: values were published for write-only points (direction: write): publish readable points only`);
  // Polled drivers need not report health: the gateway derives it from their reads.
  if (demandHealth && !context.healthChanges.some((h) => h.device === device.id && h.state === 'online')) {
    problems.push(`${at}: the device spoke but was never reported online: call context.health(device, 'online') when it does`);
  }
}

