/**
 * Writes and commands through a driver as the gateway's command router sends them: arguments
 * checked against the command's schema first (unknown keys refused with SG_COMMAND_REJECTED, naming
 * the field, before the driver sees them), a deadline on the driver's answer, and what the driver
 * refuses with judged by its code: a refusal must carry one (SG_WRITE_REJECTED, SG_COMMAND_FAILED,
 * ...), since anything else reaches the platform as SG_DRIVER_FAILURE, which says nothing.
 */
import type { DeviceRef, Driver, DriverInstance, PointRef } from '../../driver.js';
import { SensegateError, isSensegateError } from '../../errors.js';
import type { Value } from '../../reading.js';
import { describeZodError } from '../../zod-issues.js';
import { settleWithin } from './deadline.js';

/** A value the kit writes to a writable point, and optionally one the device must refuse. */
export interface WriteSample {
  value: Value;
  /** A value of the point's type that the driver or device must refuse with a coded error. */
  refused?: Value;
}

/** Arguments the kit runs a declared command with, and optionally arguments the device must refuse. */
export interface CommandSample {
  args: Record<string, unknown>;
  /** Arguments that fit the schema but that the driver or device must refuse with a coded error. */
  refused?: Record<string, unknown>;
}

/**
 * Runs one of the driver's declared commands as the gateway does: unknown command or arguments that
 * do not fit its schema (unknown keys included) reject with SG_COMMAND_REJECTED before the driver
 * is called; the driver gets the parsed arguments and a signal that aborts after `timeout` ms.
 */
export async function sendCommand<C, P>(
  driver: Driver,
  instance: DriverInstance<C, P>,
  device: DeviceRef<C, P>,
  name: string,
  args: Record<string, unknown>,
  timeout = 10_000,
): Promise<unknown> {
  const spec = driver.commands?.[name];
  if (!spec || !instance.command) {
    const known = Object.keys(driver.commands ?? {});
    throw new SensegateError(
      'SG_COMMAND_REJECTED',
      `device ${device.id} (${driver.name}) has no command "${name}"` + (known.length ? `; it has ${known.join(', ')}` : '; its driver has no commands'),
      { device: device.id },
    );
  }
  const parsed = spec.args.strict().safeParse(args);
  if (!parsed.success) {
    const problems = describeZodError(parsed.error, ['args']).map((p) => `${p.path.join('.')}: ${p.message}`);
    throw new SensegateError('SG_COMMAND_REJECTED', `${name}: ${problems.join('; ')}`, { device: device.id });
  }
  // A timer of our own, cleared when the command settles: the kit counts the timers left behind.
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(new SensegateError('SG_REQUEST_TIMEOUT', `${name} did not finish in time`, { device: device.id })), timeout);
  try {
    return await instance.command(device, name, parsed.data as Record<string, unknown>, abort.signal);
  } finally {
    clearTimeout(timer);
  }
}

/** Why a refusal is not one the platform can act on, or undefined when it is. */
function uncoded(err: unknown): string | undefined {
  if (!isSensegateError(err)) return `a plain ${err instanceof Error ? err.name : typeof err} ("${err instanceof Error ? err.message : String(err)}") that reaches the platform as SG_DRIVER_FAILURE`;
  if (err.code === 'SG_DRIVER_FAILURE') return 'SG_DRIVER_FAILURE';
  return undefined;
}

const describeError = (err: unknown): string => (isSensegateError(err) ? `${err.code}: ${err.message}` : String(err instanceof Error ? err.message : err));

export interface WriteCheckOptions<C, P> {
  driver: Driver;
  instance: DriverInstance<C, P>;
  device: DeviceRef<C, P>;
  writes: Readonly<Record<string, WriteSample>>;
  commands: Readonly<Record<string, CommandSample>>;
  /** How long a write or command may take; the device's timeout plus a margin by default. */
  timeout: number;
  problems: string[];
}

/** Writes every writable point of the device and runs every declared command. */
export async function checkWritesAndCommands<C, P>(options: WriteCheckOptions<C, P>): Promise<void> {
  const { driver, instance, device, writes, commands, timeout, problems } = options;
  const at = (point?: string) => `${driver.name}: device ${device.id}${point ? `, point ${point}` : ''}`;
  const writable = device.points.filter((p) => p.spec.writable);
  if (writable.length && !instance.write) {
    problems.push(`${at(writable[0]!.id)}: the point is writable but the driver has no write(): implement write() or leave the point read-only`);
  }
  for (const point of instance.write ? writable : []) {
    const sample = writes[point.id];
    if (!sample) {
      problems.push(`${at(point.id)}: the point is writable: pass \`writes: { '${point.id}': { value } }\` so the kit can write it`);
      continue;
    }
    await checkWrite(instance, device, point, sample, timeout, at(point.id), problems);
  }
  for (const id of Object.keys(writes)) {
    const point = device.points.find((p) => p.id === id);
    if (!point) problems.push(`${at(id)}: \`writes\` names a point the device does not have`);
    else if (!point.spec.writable) problems.push(`${at(id)}: \`writes\` names a point that is not writable: give it \`direction: readwrite\` or \`write\``);
  }
  const declared = Object.keys(driver.commands ?? {});
  if (declared.length && !instance.command) {
    problems.push(`${at()}: the driver declares commands (${declared.join(', ')}) but has no command(): implement command()`);
    return;
  }
  for (const name of declared) {
    if (!commands[name]) problems.push(`${at()}: command ${name}: pass \`commands: { '${name}': { args } }\` so the kit can run it`);
  }
  // In the order given: one command may need another first (a preset saved before it is recalled).
  for (const [name, sample] of Object.entries(commands)) {
    if (!declared.includes(name)) problems.push(`${at()}: \`commands\` names ${name}, which the driver does not declare in \`commands\``);
    else await checkCommand(driver, instance, device, name, sample, timeout, at(), problems);
  }
}

async function checkWrite<C, P>(
  instance: DriverInstance<C, P>,
  device: DeviceRef<C, P>,
  point: PointRef<P>,
  sample: WriteSample,
  timeout: number,
  at: string,
  problems: string[],
): Promise<void> {
  const done = await settleWithin(instance.write!(device, point, sample.value), timeout);
  if (done.timedOut) problems.push(`${at}: write(${JSON.stringify(sample.value)}) did not settle within ${timeout} ms: end the request at the device's timeout`);
  else if (done.error !== undefined) problems.push(`${at}: write(${JSON.stringify(sample.value)}) failed against a reachable device: ${describeError(done.error)}`);
  if (sample.refused === undefined) return;
  const refusal = await settleWithin(instance.write!(device, point, sample.refused), timeout);
  if (refusal.timedOut) problems.push(`${at}: write(${JSON.stringify(sample.refused)}) did not settle within ${timeout} ms`);
  else if (refusal.error === undefined) problems.push(`${at}: write(${JSON.stringify(sample.refused)}) was accepted, but the kit was told the device refuses it`);
  else {
    const why = uncoded(refusal.error);
    if (why) problems.push(`${at}: a refused write(${JSON.stringify(sample.refused)}) failed with ${why}: reject with a SensegateError such as SG_WRITE_REJECTED`);
  }
}

async function checkCommand<C, P>(
  driver: Driver,
  instance: DriverInstance<C, P>,
  device: DeviceRef<C, P>,
  name: string,
  sample: CommandSample,
  timeout: number,
  at: string,
  problems: string[],
): Promise<void> {
  const run = (args: Record<string, unknown>) => settleWithin(sendCommand(driver, instance, device, name, args, timeout), timeout + 1000);
  const done = await run(sample.args);
  if (done.timedOut) problems.push(`${at}: command ${name} did not settle within ${timeout} ms of its signal: stop when the signal aborts`);
  else if (done.error !== undefined) problems.push(`${at}: command ${name}(${JSON.stringify(sample.args)}) failed against a reachable device: ${describeError(done.error)}`);
  else if (done.value !== undefined && !jsonSafe(done.value)) problems.push(`${at}: command ${name} resolved with a result that is not JSON-serializable: return plain data`);
  // The schema, not the driver, refuses keys it does not know.
  const stray = await run({ ...sample.args, unknownArgument: 1 });
  if (stray.timedOut || !isSensegateError(stray.error) || stray.error.code !== 'SG_COMMAND_REJECTED') {
    problems.push(`${at}: command ${name}: an unknown argument was not refused before the driver: give the command an \`args\` object schema`);
  }
  if (sample.refused === undefined) return;
  const refusal = await run(sample.refused);
  if (refusal.timedOut) problems.push(`${at}: command ${name}(${JSON.stringify(sample.refused)}) did not settle in time`);
  else if (refusal.error === undefined) problems.push(`${at}: command ${name}(${JSON.stringify(sample.refused)}) succeeded, but the kit was told the device refuses it`);
  else if (isSensegateError(refusal.error) && refusal.error.code === 'SG_COMMAND_REJECTED') {
    problems.push(`${at}: command ${name}(${JSON.stringify(sample.refused)}) was refused by its schema, not by the driver: give \`refused\` arguments the schema accepts`);
  } else {
    const why = uncoded(refusal.error);
    if (why) problems.push(`${at}: command ${name}(${JSON.stringify(sample.refused)}) failed with ${why}: reject with a SensegateError such as SG_COMMAND_FAILED`);
  }
}

function jsonSafe(value: unknown): boolean {
  try {
    return JSON.stringify(value) !== undefined;
  } catch {
    return false;
  }
}
