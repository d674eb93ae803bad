/**
 * The data flag a station sends beside each value (`<code>-Flag=N`), and the quality sensegate
 * gives it. N is the only flag that vouches for the value. M, S, C and T are values the station
 * stands behind with a caveat (maintenance, a manual value, calibration, over the upper limit:
 * T still measured, so the value is real but out of the instrument's range). F, D and B mean the
 * instrument was stopped, faulty or unreachable: the number is not a measurement.
 */
import type { Quality } from '@sensegate/sdk';

export interface DataFlagInfo {
  flag: string;
  meaning: string;
  quality: Quality;
}

export const DATA_FLAGS: Readonly<Record<string, DataFlagInfo>> = Object.freeze({
  N: { flag: 'N', meaning: 'normal', quality: 'good' },
  F: { flag: 'F', meaning: 'instrument stopped', quality: 'bad' },
  M: { flag: 'M', meaning: 'maintenance', quality: 'uncertain' },
  S: { flag: 'S', meaning: 'manually entered value', quality: 'uncertain' },
  D: { flag: 'D', meaning: 'instrument fault', quality: 'bad' },
  C: { flag: 'C', meaning: 'calibration', quality: 'uncertain' },
  T: { flag: 'T', meaning: 'over the upper measuring limit', quality: 'uncertain' },
  B: { flag: 'B', meaning: 'communication fault', quality: 'bad' },
});

/** The flag assumed when a station sends none. */
export const DEFAULT_DATA_FLAG = 'N';

/** Quality of a flag; a flag the standard does not define is `uncertain`. */
export function flagQuality(flag: string | undefined): Quality {
  return DATA_FLAGS[flag ?? DEFAULT_DATA_FLAG]?.quality ?? 'uncertain';
}

const STATUS = new Map(Object.keys(DATA_FLAGS).map((flag) => [flag, `hj212:flag:${flag}`]));

/** The reading status carrying a flag, `hj212:flag:<flag>`; the standard's flags are not rebuilt for every value. */
export function flagStatus(flag: string): string {
  return STATUS.get(flag) ?? `hj212:flag:${flag}`;
}
