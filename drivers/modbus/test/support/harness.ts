/**
 * Drives the Modbus driver the way the gateway does, without the gateway: devices built from the
 * driver's own schemas (generic fields merged in, defaults filled), the SDK's test context, and
 * polls through `pollOnce`, which hands the driver a ReadBatch and records good/set/fail by index.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { basePointShape, type BackoffSettings, type DeviceRef, type Logger, type Value } from '@sensegate/sdk';
import { pollOnce, testDevice, type PollResult } from '@sensegate/sdk/testing';
import { parse } from 'yaml';
import { z } from 'zod';
import modbus, { type ModbusConnection, type ModbusPointFields } from '../../src/index.js';

export type ModbusDevice = DeviceRef<ModbusConnection, ModbusPointFields>;
export type ModbusInstance = ReturnType<typeof modbus.create>;

/** The point schema the gateway builds for this driver: generic fields plus the driver's. */
export const devicePointSchema = z.object({ ...basePointShape, ...modbus.point.shape }).strict();

export interface DeviceInput {
  id: string;
  connection: Record<string, unknown>;
  points: Array<Record<string, unknown>>;
  timeout?: number;
  reconnect?: Partial<BackoffSettings>;
  log?: Logger;
}

export function modbusDevice(input: DeviceInput): ModbusDevice {
  return testDevice(modbus, {
    ...input,
    reconnect: input.reconnect ? { initialDelay: 50, maxDelay: 500, ...input.reconnect } : undefined,
  }) as ModbusDevice;
}

/** The `points:` of a profile file, validated with the driver's schema as the gateway does. */
export function profilePoints(file: string): Array<Record<string, unknown>> {
  const doc = parse(readFileSync(file, 'utf8')) as { points: Array<Record<string, unknown>> };
  return doc.points.map((p) => devicePointSchema.parse(p) as Record<string, unknown>);
}

/** A value for each writable point of fixtures/every-type.yaml, and a wrong one the driver refuses. */
export const EVERY_TYPE_WRITES = {
  flow: { value: 12.5 },
  swapped: { value: -5 },
  little: { value: 7 },
  enabled: { value: true },
  alarmA: { value: true },
  alarmC: { value: false },
  serial: { value: 'AB12' },
  setpoint: { value: 10, refused: 'ten' },
  running: { value: true, refused: 'maybe' },
  valve: { value: false },
} as const;

/** A port nothing listens on. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

export function poll(instance: ModbusInstance, device: ModbusDevice): Promise<PollResult> {
  return pollOnce(instance, device);
}

/** Point id -> value of the good points of a poll. */
export function goodValues(result: PollResult): Record<string, Value> {
  const out: Record<string, Value> = {};
  for (const p of result.points) if (p.quality === 'good') out[p.id] = p.value;
  return out;
}

/** Point id -> status of the bad points of a poll. */
export function badStatuses(result: PollResult): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const p of result.points) if (p.quality === 'bad') out[p.id] = p.status;
  return out;
}

/** What the gateway would publish: raw * scale + offset, rounded to `decimals`. */
export function engineering(device: ModbusDevice, result: PollResult): Record<string, Value> {
  const out: Record<string, Value> = {};
  for (const p of result.points) {
    if (p.quality !== 'good') continue;
    const spec = device.points.find((d) => d.id === p.id)!.spec;
    let v = p.value;
    if (typeof v === 'number') {
      v = v * spec.scale + spec.offset;
      if (spec.decimals !== undefined) v = Math.round(v * 10 ** spec.decimals) / 10 ** spec.decimals;
    }
    out[p.id] = v;
  }
  return out;
}
