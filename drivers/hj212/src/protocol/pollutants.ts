/**
 * Pollutant and parameter codes. HJ 212-2017 codes are a letter (a air, w water) and five digits;
 * HJ/T 212-2005 used two or three characters, listed here with the 2017 code they became.
 * Units are those the standard gives for environmental quality monitoring stations (air quality in
 * ug/m3, CO in mg/m3); pollution-source stations report concentrations in mg/m3, which a point's
 * own `unit` states. Only codes checked against the standard's tables and field practice are
 * listed: fewer correct entries beat many guessed ones. Unknown codes still work as points; the
 * table only names them and gives profiles their units.
 */
export interface PollutantInfo {
  code: string;
  /** Readable point id used by the profiles, e.g. `pm25`, `cod`. */
  alias: string;
  name: string;
  /** UCUM-style unit text. */
  unit: string;
  /** Unit of the `Cou` (cumulative) field, where the standard defines one. */
  couUnit?: string;
  /** Which standard the code belongs to. */
  dialect: '2017' | '2005';
  /** For a 2005 code: the 2017 code it became. */
  equivalent?: string;
}

type Entry = Omit<PollutantInfo, 'dialect' | 'equivalent'>;

const CODES_2017: Entry[] = [
  // Air quality and meteorology.
  { code: 'a34004', alias: 'pm25', name: 'PM2.5', unit: 'ug/m3' },
  { code: 'a34002', alias: 'pm10', name: 'PM10', unit: 'ug/m3' },
  { code: 'a34001', alias: 'tsp', name: 'Total suspended particulates', unit: 'ug/m3' },
  { code: 'a21026', alias: 'so2', name: 'Sulphur dioxide', unit: 'ug/m3' },
  { code: 'a21004', alias: 'no2', name: 'Nitrogen dioxide', unit: 'ug/m3' },
  { code: 'a21003', alias: 'no', name: 'Nitric oxide', unit: 'ug/m3' },
  { code: 'a21002', alias: 'nox', name: 'Nitrogen oxides', unit: 'ug/m3' },
  { code: 'a21005', alias: 'co', name: 'Carbon monoxide', unit: 'mg/m3' },
  { code: 'a05024', alias: 'o3', name: 'Ozone', unit: 'ug/m3' },
  { code: 'a01001', alias: 'temperature', name: 'Air temperature', unit: 'degC' },
  { code: 'a01002', alias: 'humidity', name: 'Relative humidity', unit: '%' },
  { code: 'a01006', alias: 'pressure', name: 'Air pressure', unit: 'kPa' },
  { code: 'a01007', alias: 'windSpeed', name: 'Wind speed', unit: 'm/s' },
  { code: 'a01008', alias: 'windDirection', name: 'Wind direction', unit: 'deg' },
  // Flue gas (pollution sources).
  { code: 'a00000', alias: 'flueGasFlow', name: 'Flue gas flow', unit: 'm3/s', couUnit: 'm3' },
  { code: 'a01011', alias: 'flueGasVelocity', name: 'Flue gas velocity', unit: 'm/s' },
  { code: 'a01012', alias: 'flueGasTemperature', name: 'Flue gas temperature', unit: 'degC' },
  { code: 'a01013', alias: 'flueGasPressure', name: 'Flue gas pressure', unit: 'kPa' },
  { code: 'a01014', alias: 'flueGasHumidity', name: 'Flue gas humidity', unit: '%' },
  { code: 'a19001', alias: 'oxygen', name: 'Oxygen content', unit: '%' },
  // Water.
  { code: 'w00000', alias: 'flow', name: 'Water flow', unit: 'L/s', couUnit: 'm3' },
  { code: 'w01001', alias: 'ph', name: 'pH', unit: 'pH' },
  { code: 'w01003', alias: 'turbidity', name: 'Turbidity', unit: 'NTU' },
  { code: 'w01009', alias: 'dissolvedOxygen', name: 'Dissolved oxygen', unit: 'mg/L' },
  { code: 'w01010', alias: 'waterTemperature', name: 'Water temperature', unit: 'degC' },
  { code: 'w01012', alias: 'suspendedSolids', name: 'Suspended solids', unit: 'mg/L', couUnit: 'kg' },
  { code: 'w01014', alias: 'conductivity', name: 'Conductivity', unit: 'uS/cm' },
  { code: 'w01017', alias: 'bod5', name: 'Five-day biochemical oxygen demand', unit: 'mg/L', couUnit: 'kg' },
  { code: 'w01018', alias: 'cod', name: 'Chemical oxygen demand', unit: 'mg/L', couUnit: 'kg' },
  { code: 'w01019', alias: 'codMn', name: 'Permanganate index', unit: 'mg/L', couUnit: 'kg' },
  { code: 'w01020', alias: 'toc', name: 'Total organic carbon', unit: 'mg/L', couUnit: 'kg' },
  { code: 'w21001', alias: 'tn', name: 'Total nitrogen', unit: 'mg/L', couUnit: 'kg' },
  { code: 'w21003', alias: 'nh3n', name: 'Ammonia nitrogen', unit: 'mg/L', couUnit: 'kg' },
  { code: 'w21011', alias: 'tp', name: 'Total phosphorus', unit: 'mg/L', couUnit: 'kg' },
];

/** HJ/T 212-2005 codes and the 2017 code each became. */
const CODES_2005: Array<[code: string, equivalent: string, unit: string]> = [
  ['B01', 'w00000', 'L/s'],
  ['001', 'w01001', 'pH'],
  ['003', 'w01012', 'mg/L'],
  ['010', 'w01017', 'mg/L'],
  ['011', 'w01018', 'mg/L'],
  ['015', 'w01020', 'mg/L'],
  ['060', 'w21003', 'mg/L'],
  ['101', 'w21011', 'mg/L'],
  // Flue gas: source concentrations in mg/m3.
  ['B02', 'a00000', 'm3/s'],
  ['02', 'a21026', 'mg/m3'],
  ['03', 'a21002', 'mg/m3'],
  ['S01', 'a19001', '%'],
  ['S02', 'a01011', 'm/s'],
  ['S03', 'a01012', 'degC'],
];

const by2017 = new Map(CODES_2017.map((e) => [e.code, e]));

export const POLLUTANTS: readonly PollutantInfo[] = Object.freeze([
  ...CODES_2017.map((e) => Object.freeze({ ...e, dialect: '2017' as const })),
  ...CODES_2005.map(([code, equivalent, unit]) => {
    const modern = by2017.get(equivalent)!;
    return Object.freeze({
      code,
      alias: modern.alias,
      name: modern.name,
      unit,
      ...(modern.couUnit !== undefined ? { couUnit: modern.couUnit } : {}),
      dialect: '2005' as const,
      equivalent,
    });
  }),
]);

const byCode = new Map(POLLUTANTS.map((p) => [p.code, p]));

/** The table entry of a code (either dialect), if it is known. */
export function pollutant(code: string): PollutantInfo | undefined {
  return byCode.get(code);
}

/** The 2017 entry with this alias, if any. */
export function pollutantByAlias(alias: string, dialect: '2017' | '2005' = '2017'): PollutantInfo | undefined {
  return POLLUTANTS.find((p) => p.alias === alias && p.dialect === dialect);
}
