/**
 * @sensegate/driver-modbus: Modbus TCP, RTU over TCP and RTU for sensegate, with a read planner
 * that merges points into block reads, buses shared by many unit ids, and reconnect with backoff.
 */
import { fileURLToPath } from 'node:url';
import { defineDriver } from '@sensegate/sdk';
import { connectionSchema } from './config/connection.js';
import { pointSchema } from './config/point.js';
import { createModbusInstance } from './modbus-instance.js';
import { VERSION } from './version.js';

const modbus = defineDriver({
  name: 'modbus',
  version: VERSION,
  description: 'Modbus TCP, RTU and RTU over TCP: merged block reads, shared RS-485 buses, reconnect with backoff.',
  connection: connectionSchema,
  point: pointSchema,
  // `../profiles` from src/ and from dist/ alike.
  profiles: fileURLToPath(new URL('../profiles', import.meta.url)),
  simulator: '@sensegate/sim-modbus',
  create: () => createModbusInstance(),
});

export default modbus;

export { connectionSchema, workaroundsSchema, TRANSPORTS, SERIAL_DEFAULTS, type ModbusConnection, type ModbusConnectionInput, type Transport } from './config/connection.js';
export { pointSchema, pointShape, pointType, isBitTable, TABLES, type ModbusPointFields, type Table } from './config/point.js';
export { toPlanPoints, type ModbusPointRef } from './config/point-checks.js';
export { planRequests, pointWidth } from './plan/plan-requests.js';
export { planDeviceRead, planOptions } from './plan/plan-device.js';
export { ModbusReadPlan, type CompiledRequest } from './plan/read-plan.js';
export { READ_FUNCTION, type PlanOptions, type PlanPoint, type PlannedRequest, type ReadFunctionCode } from './plan/read-request.js';
export { encodeWrite, rawValue, type WriteAction } from './write/encode-write.js';
export { EXCEPTION_NAMES } from './protocol/modbus-errors.js';
export { createModbusInstance } from './modbus-instance.js';
export { VERSION } from './version.js';
