/**
 * @sensegate/sim-hj212: HJ 212-2017 air-quality and surface-water stations that dial a platform,
 * send real-time, minute, hour and daily data, answer commands and fail on demand.
 */
export { startHj212Station, validateStationOptions, wrongPassword, type DataKind, type Hj212Station, type StationEvent, type StationOptions } from './station.js';
export { startHj212Stations, type Hj212StationGroup, type StationGroupOptions } from './stations.js';
export { stationOptionsSchema, stationGroupSchema, groupMn, defaultMnPrefix, type StationSettings, type StationGroupSettings } from './options.js';
export { STATION_MODELS, STATION_ST, type ParameterModel, type StationKind } from './model/stations.js';
export { SUPPORTED_COMMANDS } from './protocol/commands.js';
export { FRAME_FAULTS, COMMAND_FAULTS, type CountedFault, type FrameFault, type CommandFault } from './wire/faults.js';
export type { FaultControls } from './wire/fault-controls.js';
export type { StationStats } from './stats.js';
export { runSimulatorCli } from './cli/run.js';
