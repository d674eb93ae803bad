/**
 * The node list: every folder, object and variable the simulator serves, with its string node id,
 * browse name, data type, unit, range, access and description. The address space is built from
 * it, the README table documents it, and the tests walk it.
 */
import { SETPOINT_RANGES, TANK_HEIGHT, WaterPlant } from './model.js';
import { TYPE_VARIABLES } from './type-variables.js';

export const BUILT_IN_TYPES = [
  'Boolean', 'SByte', 'Byte', 'Int16', 'UInt16', 'Int32', 'UInt32', 'Int64', 'UInt64', 'Float', 'Double',
  'String', 'DateTime', 'Guid', 'ByteString', 'LocalizedText', 'QualifiedName', 'NodeId', 'StatusCode', 'XmlElement',
] as const;
export type BuiltInType = (typeof BUILT_IN_TYPES)[number];

export type Unit = 'percent' | 'ampere' | 'metre' | 'cubicMetrePerHour' | 'milligramPerLitre' | 'ntu';

export interface ContainerSpec {
  /** String node id, e.g. `Pump1`. */
  id: string;
  /** Id of the parent container; undefined: the Objects folder. */
  parent?: string;
  browseName: string;
  kind: 'folder' | 'object';
  description: string;
}

export interface VariableSpec {
  /** String node id, e.g. `Pump1.Speed`. */
  id: string;
  parent: string;
  browseName: string;
  dataType: BuiltInType;
  /** A one-dimensional array of `dataType`. */
  array?: boolean;
  writable: boolean;
  description: string;
  /** Engineering unit (makes an AnalogItemType variable with EngineeringUnits). */
  unit?: Unit;
  /** EURange; on a writable variable also the InstrumentRange that refuses writes outside it (BadOutOfRange). */
  range?: { low: number; high: number };
  /** What the variable holds at first (measurements: the plant's first values). */
  initial: unknown;
  /** `measurement`: moved by the plant model; `setpoint`: read by it; `type`: a fixed sample; `bench`: moves every tick. */
  role: 'measurement' | 'setpoint' | 'type' | 'bench';
}

export interface Catalog {
  containers: ContainerSpec[];
  variables: VariableSpec[];
}

/** Bench variable `i` (0-based): `Bench.V00000`, ... */
export const benchId = (i: number) => `Bench.V${String(i).padStart(5, '0')}`;

/** The value of bench variable `i` at tick `n`: a slow sine, shifted per variable, that changes every tick. */
export function benchValue(i: number, n: number): number {
  return 50 + 40 * Math.sin(n / 20 + i * 0.618);
}

/** The node list of a plant with `pumps` pumps and `benchVariables` bench variables (values: the plant's first ones). */
export function plantCatalog(pumps = 3, benchVariables = 0, plant: WaterPlant = new WaterPlant(pumps, 0)): Catalog {
  const containers: ContainerSpec[] = [
    { id: 'WaterPlant', browseName: 'WaterPlant', kind: 'object', description: 'A small drinking-water plant: intake pumps, two tanks, outlet valves and water quality.' },
    { id: 'IntakePumps', parent: 'WaterPlant', browseName: 'IntakePumps', kind: 'folder', description: 'Raw-water intake pumps.' },
    { id: 'Tanks', parent: 'WaterPlant', browseName: 'Tanks', kind: 'folder', description: 'Raw-water (Tank1) and clear-water (Tank2) tanks.' },
    { id: 'Flows', parent: 'WaterPlant', browseName: 'Flows', kind: 'folder', description: 'Flow meters at the intake and the outlet.' },
    { id: 'Valves', parent: 'WaterPlant', browseName: 'Valves', kind: 'folder', description: 'Outlet valves to the distribution network.' },
    { id: 'Quality', parent: 'WaterPlant', browseName: 'Quality', kind: 'folder', description: 'Treated-water quality: chlorine and turbidity.' },
    { id: 'Types', parent: 'WaterPlant', browseName: 'Types', kind: 'folder', description: 'One writable variable per OPC UA built-in type, for driver tests.' },
  ];
  const measured = plant.measurements();
  const setpoints = WaterPlant.setpointDefaults(pumps);
  const variables: VariableSpec[] = [];
  const measurement = (parent: string, name: string, dataType: 'Double' | 'Boolean', description: string, unit?: Unit, range?: { low: number; high: number }) => {
    const id = `${parent}.${name}`;
    variables.push({ id, parent, browseName: name, dataType, writable: false, description, initial: measured.get(id), role: 'measurement', ...(unit ? { unit } : {}), ...(range ? { range } : {}) });
  };
  const setpoint = (parent: string, name: string, description: string, unit: Unit, range: { low: number; high: number }) => {
    const id = `${parent}.${name}`;
    variables.push({ id, parent, browseName: name, dataType: 'Double', writable: true, description, unit, range: { ...range }, initial: setpoints.get(id), role: 'setpoint' });
  };

  for (let n = 1; n <= pumps; n++) {
    const pump = `Pump${n}`;
    containers.push({ id: pump, parent: 'IntakePumps', browseName: pump, kind: 'object', description: `Intake pump ${n}.` });
    measurement(pump, 'Running', 'Boolean', `Pump ${n} is running; it starts when its SpeedSetpoint changes from 0, stops at 0 and on a trip.`);
    measurement(pump, 'Speed', 'Double', `Pump ${n} speed, % of full speed; follows SpeedSetpoint while running, closing half the gap each tick.`, 'percent', { low: 0, high: 100 });
    measurement(pump, 'Current', 'Double', `Pump ${n} motor current, A (about 4 A + 0.26 A per % of speed while running).`, 'ampere', { low: 0, high: 40 });
    measurement(pump, 'Fault', 'Boolean', `Pump ${n} has tripped: it stops, and restarts on its setpoint when the trip resets (30 to 120 s).`);
    setpoint(pump, 'SpeedSetpoint', `Pump ${n} speed setpoint, % (0 to 100; 0 stops the pump, a change from 0 starts it).`, 'percent', SETPOINT_RANGES.speed);
  }
  const flowHigh = pumps * 120;
  for (const [t, text] of [[1, 'Raw-water tank level, m; rises with the intake, falls with the transfer to treatment.'], [2, 'Clear-water tank level, m; rises with treated water, falls with the outlet flow.']] as const) {
    containers.push({ id: `Tank${t}`, parent: 'Tanks', browseName: `Tank${t}`, kind: 'object', description: t === 1 ? 'Raw-water tank.' : 'Clear-water tank.' });
    measurement(`Tank${t}`, 'Level', 'Double', text, 'metre', { low: 0, high: TANK_HEIGHT[t - 1]! });
  }
  containers.push({ id: 'Intake', parent: 'Flows', browseName: 'Intake', kind: 'object', description: 'Intake flow meter.' });
  measurement('Intake', 'Flow', 'Double', 'Raw-water intake, m3/h: the sum of the pumps (120 m3/h each at full speed).', 'cubicMetrePerHour', { low: 0, high: flowHigh });
  containers.push({ id: 'Outlet', parent: 'Flows', browseName: 'Outlet', kind: 'object', description: 'Outlet flow meter.' });
  measurement('Outlet', 'Flow', 'Double', 'Treated water sent to the network, m3/h; grows with the valve openings and the clear-water level.', 'cubicMetrePerHour', { low: 0, high: flowHigh });
  for (const v of [1, 2]) {
    const valve = `Valve${v}`;
    containers.push({ id: valve, parent: 'Valves', browseName: valve, kind: 'object', description: `Outlet valve ${v}.` });
    measurement(valve, 'Position', 'Double', `Valve ${v} position, % open; travels toward PositionSetpoint, half the gap (at most 20 %) each tick.`, 'percent', { low: 0, high: 100 });
    setpoint(valve, 'PositionSetpoint', `Valve ${v} position setpoint, % open (0 to 100).`, 'percent', SETPOINT_RANGES.valve);
  }
  containers.push({ id: 'Chlorine', parent: 'Quality', browseName: 'Chlorine', kind: 'object', description: 'Chlorine dosing.' });
  measurement('Chlorine', 'Residual', 'Double', 'Free chlorine residual, mg/L; follows DoseSetpoint, a fifth of the gap each tick.', 'milligramPerLitre', { low: 0, high: 5 });
  setpoint('Chlorine', 'DoseSetpoint', 'Chlorine dose setpoint, mg/L (0 to 4).', 'milligramPerLitre', SETPOINT_RANGES.dose);
  variables.push({
    id: 'Turbidity', parent: 'Quality', browseName: 'Turbidity', dataType: 'Double', writable: false, role: 'measurement',
    description: 'Treated-water turbidity, NTU: about 0.35, with a spike about every half hour.', unit: 'ntu', range: { low: 0, high: 10 }, initial: measured.get('Turbidity'),
  });

  for (const t of TYPE_VARIABLES) {
    variables.push({
      id: `Types.${t.name}`, parent: 'Types', browseName: t.name, dataType: t.dataType, writable: true, role: 'type',
      description: t.description, initial: t.initial, ...(t.array ? { array: true } : {}),
    });
  }

  if (benchVariables > 0) {
    containers.push({ id: 'Bench', parent: 'WaterPlant', browseName: 'Bench', kind: 'folder', description: `${benchVariables} Double variables that change on every tick, for load tests.` });
    for (let i = 0; i < benchVariables; i++) {
      const id = benchId(i);
      variables.push({ id, parent: 'Bench', browseName: id.slice('Bench.'.length), dataType: 'Double', writable: false, role: 'bench', description: 'Load-test variable: changes on every tick.', initial: benchValue(i, 0) });
    }
  }
  return { containers, variables };
}
