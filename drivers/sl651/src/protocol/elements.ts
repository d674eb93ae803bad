/**
 * The element (要素) identifiers this driver names, with the standard's data definition for each:
 * N(d, f) means d decimal digits of which f after the point, sent in ceil(d/2) BCD bytes. A station
 * states the size and decimals of every value in the definition byte it sends, so any numeric
 * identifier decodes even when it is not listed here; the table gives aliases, names, units, and
 * the sizes the simulator encodes with.
 *
 * Cross-checked against the element code lists of two independent implementations
 * (yu-xiaoyao/sl651-2014-server, aaasoft/Quick.SL651) and published captures: note that 3A is the
 * downstream (库/闸/站下) level and 3B the upstream (上) level; 3C-43 are intake/outlet levels 1-8.
 */

export type ElementKind =
  /** BCD number, sign byte FF for negatives, all FF for no data. */
  | 'number'
  /** F4: twelve 1-byte HEX counts of 0.1 mm, the rainfall of each 5 minutes of the past hour. */
  | 'rainSeries'
  /** F5-FC: twelve 2-byte HEX counts of 0.01 m, the (relative) level at each 5 minutes of the past hour. */
  | 'levelSeries'
  /** 45: 4 bytes of status and alarm bits, published as an unsigned integer. */
  | 'status';

export interface ElementInfo {
  /** Identifier as uppercase hex: `39`, or `FF38` for an extended (FF-prefixed) identifier. */
  id: string;
  /** Readable name usable in a point's `element` field. */
  alias: string;
  name: string;
  unit?: string;
  kind: ElementKind;
  /** Standard size: decimal digits (N(d, f): d). */
  digits?: number;
  /** Standard decimals (N(d, f): f). */
  decimals?: number;
}

const n = (id: string, alias: string, name: string, unit: string | undefined, digits: number, decimals: number): ElementInfo => ({
  id,
  alias,
  name,
  ...(unit ? { unit } : {}),
  kind: 'number',
  digits,
  decimals,
});

const intakeLevels: ElementInfo[] = [];
const levelSeries: ElementInfo[] = [];
for (let i = 1; i <= 8; i++) {
  intakeLevels.push(n((0x3b + i).toString(16).toUpperCase(), `levelIntake${i}`, `Intake/outlet water level ${i}`, 'm', 7, 3));
  levelSeries.push({
    id: (0xf4 + i).toString(16).toUpperCase(),
    alias: i === 1 ? 'level.series' : `level${i}.series`,
    name: `Water level ${i} every 5 minutes over the past hour (relative)`,
    unit: 'm',
    kind: 'levelSeries',
  });
}

export const ELEMENTS: readonly ElementInfo[] = [
  n('02', 'airTemperature', 'Air temperature', 'degC', 3, 1),
  n('03', 'waterTemperature', 'Water temperature', 'degC', 3, 1),
  n('06', 'evaporation.day', 'Daily evaporation', 'mm', 5, 1),
  n('08', 'airPressure', 'Air pressure', 'hPa', 5, 0),
  n('0E', 'groundwaterDepth', 'Groundwater depth', 'm', 6, 2),
  n('18', 'humidity', 'Relative humidity', '%', 4, 1),
  n('1A', 'rain.1h', 'Rainfall of the past 1 hour', 'mm', 5, 1),
  n('1B', 'rain.2h', 'Rainfall of the past 2 hours', 'mm', 5, 1),
  n('1C', 'rain.3h', 'Rainfall of the past 3 hours', 'mm', 5, 1),
  n('1D', 'rain.6h', 'Rainfall of the past 6 hours', 'mm', 5, 1),
  n('1E', 'rain.12h', 'Rainfall of the past 12 hours', 'mm', 5, 1),
  n('1F', 'rain.day', 'Daily rainfall', 'mm', 5, 1),
  n('20', 'rain.current', 'Current rainfall', 'mm', 5, 1),
  n('21', 'rain.1min', 'Rainfall of the past 1 minute', 'mm', 5, 1),
  n('22', 'rain.5min', 'Rainfall of the past 5 minutes', 'mm', 5, 1),
  n('23', 'rain.10min', 'Rainfall of the past 10 minutes', 'mm', 5, 1),
  n('24', 'rain.30min', 'Rainfall of the past 30 minutes', 'mm', 5, 1),
  n('25', 'rain.storm', 'Storm rainfall', 'mm', 5, 1),
  n('26', 'rain.total', 'Cumulative rainfall', 'mm', 6, 1),
  n('27', 'flow', 'Instantaneous flow', 'm3/s', 9, 3),
  n('30', 'flow.total', 'Total outflow', 'm3/s', 9, 3),
  n('35', 'windSpeed', 'Wind speed', 'm/s', 4, 1),
  n('36', 'velocity.mean', 'Mean cross-section velocity', 'm/s', 5, 3),
  n('37', 'velocity', 'Instantaneous velocity', 'm/s', 5, 3),
  n('38', 'batteryVoltage', 'Supply voltage', 'V', 4, 2),
  n('39', 'waterLevel', 'Instantaneous water level', 'm', 7, 3),
  n('3A', 'levelDownstream', 'Downstream water level (below the dam, gate or pump station)', 'm', 7, 3),
  n('3B', 'levelUpstream', 'Upstream water level (above the dam, gate or pump station)', 'm', 7, 3),
  ...intakeLevels,
  { id: '45', alias: 'status', name: 'Station status and alarm bits', kind: 'status' },
  { id: 'F4', alias: 'rain.series', name: 'Rainfall of each 5 minutes over the past hour', unit: 'mm', kind: 'rainSeries' },
  ...levelSeries,
];

const byId = new Map(ELEMENTS.map((e) => [e.id, e]));
const byAlias = new Map(ELEMENTS.map((e) => [e.alias.toLowerCase(), e]));

export const ELEMENT_ID = /^(?:[0-9A-Fa-f]{2}|[Ff]{2}[0-9A-Fa-f]{2})$/;

/** Identifiers that are guides, not values: they cannot be a point's element. */
const GUIDES = new Set(['F0', 'F1', 'F2', 'F3', 'FF', '04', '05']);

export function elementInfo(id: string): ElementInfo | undefined {
  return byId.get(id.toUpperCase());
}

/**
 * A point's `element` text (hex identifier or alias) as a canonical identifier, or undefined if it
 * names nothing that carries a value.
 */
export function resolveElement(text: string): string | undefined {
  const alias = byAlias.get(text.toLowerCase());
  if (alias) return alias.id;
  if (!ELEMENT_ID.test(text)) return undefined;
  const id = text.toUpperCase();
  return GUIDES.has(id) ? undefined : id;
}

/** How a value of `id` is encoded when the station does not say otherwise. */
export function elementKind(id: string): ElementKind {
  const known = byId.get(id)?.kind;
  if (known) return known;
  if (id === 'F4') return 'rainSeries';
  if (id.length === 2 && id >= 'F5' && id <= 'FC') return 'levelSeries';
  return 'number';
}
