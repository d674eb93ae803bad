/**
 * @sensegate/sim-opcua: a small water plant on a node-opcua server (pumps, tanks, flows, valves,
 * chlorine, turbidity, one variable per built-in type, optional load-test variables), with writable
 * setpoints, security modes, user accounts and faults on demand, as a library and a CLI.
 */
export { startOpcuaSimulator, type OpcuaSimulator, type OpcuaSimulatorStats } from './simulator.js';
export {
  PLANT_NAMESPACE,
  DECOY_NAMESPACE,
  RESOURCE_PATH,
  SECURITY_MODES,
  SECURITY_POLICIES,
  type OpcuaSimulatorOptions,
  type OperationLimits,
  type SecurityModeName,
  type SecurityPolicyName,
} from './options.js';
export { plantCatalog, benchId, BUILT_IN_TYPES, type BuiltInType, type Catalog, type ContainerSpec, type VariableSpec, type Unit } from './plant/catalog.js';
export { TYPE_VARIABLES, type TypeVariable } from './plant/type-variables.js';
export { runSimulatorCli, type CliStreams } from './cli/run.js';
