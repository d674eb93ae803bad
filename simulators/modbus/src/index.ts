export { startModbusSimulator, type Framing, type ModbusSimulator, type SimulatorFaults, type SimulatorOptions } from './simulator.js';
export type { SimulatorUnit } from './unit.js';
export type { SimulatorStats } from './protocol/stats.js';
export type { ExceptionTarget } from './protocol/faults.js';
export type { UnknownUnitPolicy } from './protocol/request-handler.js';
export { loadProfile } from './profile/load.js';
export {
  TABLES,
  generatorSchema,
  modbusPointSchema,
  profileSchema,
  type Generator,
  type GeneratorKind,
  type GeneratorSpec,
  type ModbusPoint,
  type ModbusProfile,
  type ModbusSimPoint,
  type Table,
} from './profile/schema.js';
export { runSimulatorCli } from './cli/run.js';
export { hasSocat, virtualSerialPair, type VirtualSerialOptions, type VirtualSerialPair } from './virtual-serial.js';
