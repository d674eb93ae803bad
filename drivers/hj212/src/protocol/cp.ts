/**
 * The CP area: groups separated by `;`, fields of one group by `,`, key and value joined by `=`:
 * `DataTime=20160801085857;w01018-Rtd=166.0,w01018-Flag=N;w21003-Rtd=1.2,w21003-Flag=N`.
 * A pollutant's fields are `<code>-<Field>`; `<code>-Flag` qualifies its other fields.
 */
import { SensegateError, printable } from '@sensegate/sdk';

/** One group's fields, in order, as [key, value]. */
export type CpField = [key: string, value: string];
export type CpGroup = CpField[];

/** Splits CP text into groups of fields; throws SG_PROTOCOL_ERROR on a field without `=`. */
export function parseCp(cp: string): CpGroup[] {
  const groups: CpGroup[] = [];
  for (const groupText of cp.split(';')) {
    if (groupText === '') continue; // a trailing `;` is common and harmless
    const group: CpGroup = [];
    for (const fieldText of groupText.split(',')) {
      if (fieldText === '') continue;
      const eq = fieldText.indexOf('=');
      if (eq <= 0) throw new SensegateError('SG_PROTOCOL_ERROR', `CP field "${printable(fieldText.slice(0, 40))}" is not key=value`);
      group.push([fieldText.slice(0, eq), fieldText.slice(eq + 1)]);
    }
    if (group.length) groups.push(group);
  }
  return groups;
}

export function formatCp(groups: readonly (readonly CpField[])[]): string {
  return groups.map((g) => g.map(([k, v]) => `${k}=${v}`).join(',')).join(';');
}

/** Every field of the CP by key; a later duplicate wins. */
export function cpFields(groups: readonly CpGroup[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const group of groups) for (const [k, v] of group) out.set(k, v);
  return out;
}

/** The record's `DataTime` (yyyyMMddHHmmss), if it has one. */
export function cpDataTime(groups: readonly CpGroup[]): string | undefined {
  for (const group of groups) for (const [k, v] of group) if (k === 'DataTime') return v;
  return undefined;
}

export interface PollutantValue {
  /** Pollutant or equipment code, e.g. `a34004`, `w01018`, `011` (2005), `SB1`. */
  code: string;
  /** Field name after the dash: Rtd, Avg, Min, Max, Cou, ZsRtd, RS, Info, ... (never `Flag`). */
  field: string;
  /** The value as sent. */
  value: string;
  /** The code's `-Flag` (N, F, M, S, D, C, T, B), if sent. */
  flag?: string;
  /** The code's `-EFlag` (equipment flag), if sent. */
  eflag?: string;
}

/** A code's `-Flag` and `-EFlag` within one record; the last one sent wins. */
interface Qualifiers {
  flag?: string;
  eflag?: string;
}

/** Gives each value its code's qualifiers, wherever in the record they were sent. */
function qualify(values: PollutantValue[], qualifiers: ReadonlyMap<string, Qualifiers> | undefined): PollutantValue[] {
  if (qualifiers === undefined || qualifiers.size === 0) return values;
  for (const v of values) {
    const q = qualifiers.get(v.code);
    if (q === undefined) continue;
    if (q.flag !== undefined) v.flag = q.flag;
    if (q.eflag !== undefined) v.eflag = q.eflag;
  }
  return values;
}

/**
 * The pollutant fields of a CP (keys `<code>-<Field>`), each with its code's flag. Keys without
 * a dash (DataTime, RtdInterval, ...) are not pollutant values and are left out.
 */
export function pollutantValues(groups: readonly CpGroup[]): PollutantValue[] {
  let qualifiers: Map<string, Qualifiers> | undefined;
  const values: PollutantValue[] = [];
  for (const group of groups) {
    for (const [key, value] of group) {
      const dash = key.indexOf('-');
      if (dash <= 0 || dash === key.length - 1) continue;
      const code = key.slice(0, dash);
      const field = key.slice(dash + 1);
      if (field === 'Flag' || field === 'EFlag') {
        qualifiers ??= new Map();
        let q = qualifiers.get(code);
        if (q === undefined) qualifiers.set(code, (q = {}));
        if (field === 'Flag') q.flag = value;
        else q.eflag = value;
      } else {
        values.push({ code, field, value });
      }
    }
  }
  return qualify(values, qualifiers);
}

export interface CpRecord {
  /** The record's `DataTime`, if it has one. */
  dataTime?: string;
  values: PollutantValue[];
}

/**
 * The CP as records: a `DataTime` starts a record, and the pollutant fields after it belong to it,
 * each with its code's flag within that record. A CP usually holds one record; a logger catching
 * up may send several. Fields before any DataTime form a record without one.
 */
export function cpRecords(groups: readonly CpGroup[]): CpRecord[] {
  const records: CpRecord[] = [];
  let fields: CpField[] = [];
  let dataTime: string | undefined;
  let started = false;
  for (const group of groups) {
    for (const field of group) {
      if (field[0] !== 'DataTime') {
        fields.push(field);
        continue;
      }
      closeRecord(records, started, dataTime, pollutantValues([fields]));
      fields = [];
      dataTime = field[1];
      started = true;
    }
  }
  closeRecord(records, started, dataTime, pollutantValues([fields]));
  return records;
}

/** Adds a record: always once a DataTime started it, else only if it holds values. Shared with cp-records.ts. */
export function closeRecord(records: CpRecord[], started: boolean, dataTime: string | undefined, values: PollutantValue[]): void {
  if (started) records.push(dataTime === undefined ? { values } : { dataTime, values });
  else if (values.length) records.push({ values });
}
