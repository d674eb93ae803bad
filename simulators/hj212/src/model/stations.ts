/**
 * What an air-quality and a surface-water station measure: the HJ 212-2017 code of each parameter,
 * the decimals its analyser reports, and how its value moves by default. Ranges are those of an
 * ordinary city site on an ordinary day, so a dashboard fed by the simulator looks plausible.
 * Names and units are the codec's code table (POLLUTANTS), not repeated here.
 */
import type { Generator } from '@sensegate/sdk/simulate';

export type StationKind = 'air' | 'water';

export interface ParameterModel {
  /** HJ 212-2017 pollutant code, e.g. `a34004`. */
  code: string;
  /** Decimals in the frame; statistics are computed from the rounded values, as a logger does. */
  decimals: number;
  simulate: Generator;
}

/** ST of each kind of station (HJ 212-2017 system codes). */
export const STATION_ST: Readonly<Record<StationKind, string>> = { air: '22', water: '21' };

// Gases and dust drift (random walks stepping each minute, ug/m3, CO in mg/m3); ozone, temperature
// and humidity follow the day.
const AIR: readonly ParameterModel[] = [
  { code: 'a34004', decimals: 0, simulate: { kind: 'randomWalk', start: 35, step: 3, min: 3, max: 250, interval: '1m' } }, // PM2.5
  { code: 'a34002', decimals: 0, simulate: { kind: 'randomWalk', start: 68, step: 5, min: 8, max: 420, interval: '1m' } }, // PM10
  { code: 'a21026', decimals: 0, simulate: { kind: 'randomWalk', start: 9, step: 1, min: 2, max: 80, interval: '1m' } }, // SO2
  { code: 'a21004', decimals: 0, simulate: { kind: 'randomWalk', start: 32, step: 2, min: 4, max: 160, interval: '1m' } }, // NO2
  { code: 'a05024', decimals: 0, simulate: { kind: 'sine', min: 18, max: 160, period: '24h' } }, // O3
  { code: 'a21005', decimals: 3, simulate: { kind: 'randomWalk', start: 0.7, step: 0.03, min: 0.2, max: 4, interval: '1m' } }, // CO
  { code: 'a01001', decimals: 1, simulate: { kind: 'sine', min: 12, max: 26, period: '24h' } }, // air temperature, degC
  { code: 'a01002', decimals: 1, simulate: { kind: 'sine', min: 38, max: 86, period: '24h' } }, // relative humidity, %
  { code: 'a01007', decimals: 1, simulate: { kind: 'randomWalk', start: 2.4, step: 0.3, min: 0, max: 14, interval: '10s' } }, // wind speed, m/s
  { code: 'a01008', decimals: 0, simulate: { kind: 'randomWalk', start: 135, step: 12, min: 0, max: 359, interval: '10s' } }, // wind direction, deg
];

// Surface water changes slowly: small random walks, temperature and dissolved oxygen follow the day.
const WATER: readonly ParameterModel[] = [
  { code: 'w01001', decimals: 2, simulate: { kind: 'randomWalk', start: 7.4, step: 0.02, min: 6.5, max: 8.8, interval: '1m' } }, // pH
  { code: 'w01009', decimals: 2, simulate: { kind: 'sine', min: 6.2, max: 9.1, period: '24h' } }, // dissolved oxygen, mg/L
  { code: 'w01014', decimals: 1, simulate: { kind: 'randomWalk', start: 460, step: 4, min: 200, max: 900, interval: '1m' } }, // conductivity, uS/cm
  { code: 'w01003', decimals: 1, simulate: { kind: 'randomWalk', start: 12, step: 0.8, min: 1, max: 120, interval: '1m' } }, // turbidity, NTU (w01012 is suspended solids)
  { code: 'w01018', decimals: 1, simulate: { kind: 'randomWalk', start: 16, step: 0.4, min: 4, max: 40, interval: '1m' } }, // COD, mg/L
  { code: 'w21003', decimals: 3, simulate: { kind: 'randomWalk', start: 0.45, step: 0.015, min: 0.02, max: 2, interval: '1m' } }, // NH3-N, mg/L
  { code: 'w21011', decimals: 3, simulate: { kind: 'randomWalk', start: 0.11, step: 0.004, min: 0.01, max: 0.4, interval: '1m' } }, // total phosphorus, mg/L
  { code: 'w21001', decimals: 2, simulate: { kind: 'randomWalk', start: 1.3, step: 0.03, min: 0.2, max: 3, interval: '1m' } }, // total nitrogen, mg/L
  { code: 'w01010', decimals: 1, simulate: { kind: 'sine', min: 16, max: 22, period: '24h' } }, // water temperature, degC
];

export const STATION_MODELS: Readonly<Record<StationKind, readonly ParameterModel[]>> = { air: AIR, water: WATER };
