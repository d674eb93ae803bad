/**
 * @sensegate/sim-sl651: a simulated SL 651-2014 rain and water-level station that dials the
 * gateway, as a library (`startSl651Station`) and a CLI (`sensegate sim sl651`), with faults on
 * demand. The protocol codec is the driver's (`@sensegate/driver-sl651/protocol`).
 */
export { Sl651Station, startSl651Station, type ReportOptions, type Sl651StationOptions, type Sl651StationStats } from './station.js';
export { StationFaults } from './faults.js';
export { DEFAULT_GENERATORS, QUANTITIES, type Quantity } from './measurements.js';
export { loadSimulation } from './profile.js';
export { applyCommand, controlHelp, statusLine } from './cli/control.js';
export { parseStationArgs, usage, type StationArgs } from './cli/args.js';
export { runSimulatorCli, type CliStreams } from './cli/run.js';
