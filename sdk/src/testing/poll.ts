import { z } from 'zod';
import type { DeviceRef, Driver, DriverInstance, PointRef, ReadBatch, ReadPlan } from '../driver.js';
import { SensegateError } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';
import type { Quality } from '../quality.js';
import type { Value } from '../reading.js';
import { baseDeviceShape, basePointShape, isReadPoint, pointAccess, type PointDirection } from '../schema.js';

export interface TestDeviceInput {
  id: string;
  connection: unknown;
  points: Array<Record<string, unknown>>;
  timeout?: number | string;
  pollInterval?: number | string;
  /** Reconnect backoff; tests of reconnection usually want it short (e.g. 50 ms to 500 ms). */
  reconnect?: { initialDelay?: number | string; maxDelay?: number | string };
  log?: Logger;
}

/**
 * Builds a DeviceRef the way the gateway does: the connection and every point validated with the
 * driver's schemas (generic point fields included), defaults filled in. Throws on invalid input.
 */
export function testDevice<D extends Driver>(driver: D, input: TestDeviceInput): DeviceRef<z.output<D['connection']>, z.output<D['point']>> {
  const connection = driver.connection.parse(input.connection);
  const pointSchema = z.object({ ...basePointShape, ...driver.point.shape }).strict();
  const points = input.points.map((p) => {
    const parsed = pointSchema.parse(p) as Record<string, unknown> & { id: string; writable?: boolean; direction?: PointDirection };
    const access = pointAccess(parsed, driver.pointDirection?.(parsed));
    if ('problem' in access) throw new SensegateError('SG_CONFIG_INVALID', `device ${input.id}, point ${parsed.id}: ${access.problem.path}: ${access.problem.message}`, { device: input.id, point: parsed.id });
    const spec = { ...parsed, ...access };
    return Object.freeze({ id: spec.id, spec: Object.freeze(spec) }) as PointRef<z.output<D['point']>>;
  });
  const base = z.object({ pollInterval: baseDeviceShape.pollInterval, timeout: baseDeviceShape.timeout, reconnect: baseDeviceShape.reconnect });
  const timing = base.parse({ pollInterval: input.pollInterval, timeout: input.timeout, reconnect: input.reconnect });
  return Object.freeze({
    id: input.id,
    connection,
    points,
    timeout: timing.timeout,
    pollInterval: timing.pollInterval,
    reconnect: timing.reconnect,
    tags: {},
    log: input.log ?? silentLogger,
  });
}

export interface PointResult {
  id: string;
  value: Value;
  quality: Quality;
  status?: string;
  sourceTs?: number;
  error?: SensegateError;
}

export interface PollResult {
  points: PointResult[];
  /** Points the driver left unset: a contract violation. */
  unset: string[];
  plan?: ReadPlan;
  /** What `read` threw, if it did. */
  thrown?: unknown;
}

/**
 * Polls a device once through the driver, as the gateway's scheduler would. Write-only points
 * (`direction: write`) are left out by default, as the gateway leaves them out. `signal` is the
 * batch's signal (the conformance kit aborts it at the device's timeout; the gateway at shutdown and at
 * its safety net); by default it never aborts.
 */
export async function pollOnce<C, P>(
  instance: DriverInstance<C, P>,
  device: DeviceRef<C, P>,
  points: readonly PointRef<P>[] = device.points.filter((p) => isReadPoint(p.spec)),
  plan: ReadPlan | undefined = instance.planRead?.(device, points),
  signal: AbortSignal = new AbortController().signal,
): Promise<PollResult> {
  if (!instance.read) throw new SensegateError('SG_NOT_SUPPORTED', 'this driver has no read(): it is a push driver');
  const results: Array<PointResult | undefined> = new Array(points.length);
  const batch: ReadBatch<P> = {
    points,
    plan,
    time: Date.now(),
    signal,
    good(index, value, sourceTs) {
      results[index] = { id: points[index]!.id, value, quality: 'good', ...(sourceTs !== undefined ? { sourceTs } : {}) };
    },
    set(index, value, quality, status, sourceTs) {
      results[index] = {
        id: points[index]!.id,
        value,
        quality,
        ...(status !== undefined ? { status } : {}),
        ...(sourceTs !== undefined ? { sourceTs } : {}),
      };
    },
    fail(index, error) {
      results[index] = { id: points[index]!.id, value: null, quality: 'bad', status: error.status ?? error.code, error };
    },
  };
  let thrown: unknown;
  try {
    await instance.read(device, batch);
  } catch (err) {
    thrown = err;
  }
  const unset = points.filter((_, i) => results[i] === undefined).map((p) => p.id);
  return {
    points: points.map(
      (p, i) =>
        results[i] ?? {
          id: p.id,
          value: null,
          quality: 'bad' as const,
          status: thrown instanceof SensegateError ? (thrown.status ?? thrown.code) : 'SG_NO_VALUE',
          ...(thrown instanceof SensegateError ? { error: thrown } : {}),
        },
    ),
    unset: thrown === undefined ? unset : [],
    ...(plan ? { plan } : {}),
    ...(thrown !== undefined ? { thrown } : {}),
  };
}
