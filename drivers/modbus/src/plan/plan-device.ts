/** `planRead` for a device: its points checked, its connection's merge settings applied. */
import { isSensegateError } from '@sensegate/sdk';
import type { ModbusConnection } from '../config/connection.js';
import { toPlanPoints, type ModbusPointRef } from '../config/point-checks.js';
import { ModbusReadPlan } from './read-plan.js';
import type { PlanOptions } from './read-request.js';

export function planOptions(connection: ModbusConnection): PlanOptions {
  return {
    unitId: connection.unitId,
    maxGap: connection.maxGap,
    maxBitGap: connection.maxBitGap,
    maxRegisters: connection.maxRegisters,
    maxBits: connection.maxBits,
    onePointPerRequest: connection.workarounds.onePointPerRequest,
  };
}

/**
 * Plans how to read `points` of a device. Throws SG_CONFIG_INVALID naming the point when a point
 * is inconsistent or cannot be read in one request.
 */
export function planDeviceRead(
  device: { id: string; connection: ModbusConnection },
  points: readonly ModbusPointRef[],
): ModbusReadPlan {
  try {
    return new ModbusReadPlan(device.id, points, toPlanPoints(device.id, points), planOptions(device.connection));
  } catch (err) {
    throw isSensegateError(err) ? err.withContext({ device: device.id }) : err;
  }
}
