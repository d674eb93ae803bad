/**
 * The driver instance: the devices the gateway added, their shared connections, their read plans.
 * `addDevice` checks the points and the connection against the devices already on the same wire
 * and never connects; the first read or write does.
 */
import { SensegateError, type DeviceRef, type DriverInstance, type PointRef, type ReadBatch, type Value } from '@sensegate/sdk';
import type { ModbusConnection } from './config/connection.js';
import type { ModbusPointRef } from './config/point-checks.js';
import type { ModbusPointFields } from './config/point.js';
import { planDeviceRead } from './plan/plan-device.js';
import { ModbusReadPlan } from './plan/read-plan.js';
import { readWithPlan } from './read/read-device.js';
import type { Endpoint } from './transport/endpoint.js';
import { EndpointPool } from './transport/endpoint-pool.js';
import { writePoint } from './write/write-point.js';

type Device = DeviceRef<ModbusConnection, ModbusPointFields>;

export function createModbusInstance(): DriverInstance<ModbusConnection, ModbusPointFields> {
  const pool = new EndpointPool();
  const endpoints = new Map<string, Endpoint>();
  const plans = new WeakMap<readonly PointRef<ModbusPointFields>[], ModbusReadPlan>();

  const endpointOf = (device: Device): Endpoint => {
    const endpoint = endpoints.get(device.id);
    if (!endpoint) throw new SensegateError('SG_NOT_CONNECTED', `device "${device.id}" was not added to the modbus driver (or was removed)`, { device: device.id });
    return endpoint;
  };

  const planFor = (device: Device, batch: ReadBatch<ModbusPointFields>): ModbusReadPlan => {
    const given = batch.plan;
    if (given instanceof ModbusReadPlan && given.points === batch.points && given.deviceId === device.id) return given;
    let plan = plans.get(batch.points);
    if (!plan || plan.deviceId !== device.id) {
      plan = planDeviceRead(device, batch.points as readonly ModbusPointRef[]);
      plans.set(batch.points, plan);
    }
    return plan;
  };

  const instance: DriverInstance<ModbusConnection, ModbusPointFields> = {
    async addDevice(device) {
      if (endpoints.has(device.id)) await instance.removeDevice(device.id);
      // Checks every point and that each fits a request; throws SG_CONFIG_INVALID naming the point.
      planDeviceRead(device, device.points);
      endpoints.set(device.id, pool.join(device));
    },

    async removeDevice(deviceId) {
      endpoints.delete(deviceId);
      await pool.leave(deviceId);
    },

    planRead(device, points) {
      const plan = planDeviceRead(device, points);
      plans.set(points, plan);
      return plan;
    },

    async read(device, batch) {
      await readWithPlan(endpointOf(device), device.id, device.timeout, planFor(device, batch), batch);
    },

    async write(device, point, value: Value) {
      await writePoint(endpointOf(device), { device: device.id, connection: device.connection, timeout: device.timeout }, point, value);
    },

    async stop() {
      endpoints.clear();
      await pool.closeAll();
    },
  };
  return instance;
}
