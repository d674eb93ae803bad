/**
 * A simulated water plant and a driver instance pointed at it, each in its own temporary folders,
 * for the driver's tests.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeviceRef, PointRef } from '@sensegate/sdk';
import { createTestContext, testDevice, waitFor, type TestContext, type TestDeviceInput } from '@sensegate/sdk/testing';
import { PLANT_NAMESPACE, startOpcuaSimulator, type OpcuaSimulator, type OpcuaSimulatorOptions } from '@sensegate/sim-opcua';
import opcua, { type OpcuaConnection, type OpcuaInstance, type OpcuaPointFields } from '../../src/index.js';

export type Device = DeviceRef<OpcuaConnection, OpcuaPointFields>;
export type Point = PointRef<OpcuaPointFields>;

/** `nsu=<plant namespace>;s=<id>`: how a point names a plant variable. */
export const plant = (id: string) => `nsu=${PLANT_NAMESPACE};s=${id}`;

export interface Rig {
  sim: OpcuaSimulator;
  context: TestContext;
  instance: OpcuaInstance;
  dataDir: string;
  device(input: Omit<TestDeviceInput, 'connection'> & { connection?: Partial<Record<keyof OpcuaConnection, unknown>> }): Device;
  /** Adds and starts a device, as the gateway does. */
  run(device: Device): Promise<void>;
  /** Values published for a device's point since `from` (an index into context.published). */
  values(device: string, point: string, from?: number): TestContext['published'];
  close(): Promise<void>;
}

export async function startRig(options: OpcuaSimulatorOptions = {}): Promise<Rig> {
  const dataDir = await mkdtemp(join(tmpdir(), 'sg-opcua-'));
  const sim = await startOpcuaSimulator({ port: 0, pkiDir: join(dataDir, 'server-pki'), seed: 7, tick: 200, ...options });
  const context = createTestContext({ driver: 'opcua', dataDir: join(dataDir, 'driver') });
  const instance = opcua.create(context) as OpcuaInstance;
  return {
    sim,
    context,
    instance,
    dataDir,
    device: (input) =>
      testDevice(opcua, {
        timeout: 2000,
        reconnect: { initialDelay: 100, maxDelay: 1000 },
        log: context.log.child({ device: input.id }),
        ...input,
        connection: { endpoint: sim.endpoint, publishingInterval: 200, samplingInterval: 100, ...input.connection },
      }) as Device,
    async run(device) {
      await instance.addDevice(device);
      instance.startDevice(device);
    },
    values: (device, point, from = 0) => context.published.slice(from).filter((p) => p.device === device && p.point === point),
    async close() {
      await instance.stop();
      await sim.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Waits until the device has a value for every one of its points since `from`. */
export function allArrived(rig: Rig, device: Device, from = 0, timeout = 20_000) {
  return waitFor(
    `values for every point of ${device.id}`,
    () => device.points.every((p) => rig.values(device.id, p.id, from).length > 0),
    { timeout },
  );
}
