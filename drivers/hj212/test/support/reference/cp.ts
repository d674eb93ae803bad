/** CP parsing as it was first written: split, then group into records (see src/protocol/cp.ts). */
import { SensegateError } from '@sensegate/sdk';
import type { CpGroup, CpRecord, PollutantValue } from '@sensegate/driver-hj212/protocol';

export function referenceParseCp(cp: string): CpGroup[] {
  const groups: CpGroup[] = [];
  for (const groupText of cp.split(';')) {
    if (groupText === '') continue;
    const group: CpGroup = [];
    for (const fieldText of groupText.split(',')) {
      if (fieldText === '') continue;
      const eq = fieldText.indexOf('=');
      if (eq <= 0) throw new SensegateError('SG_PROTOCOL_ERROR', `CP field "${fieldText.slice(0, 40)}" is not key=value`);
      group.push([fieldText.slice(0, eq), fieldText.slice(eq + 1)]);
    }
    if (group.length) groups.push(group);
  }
  return groups;
}

const QUALIFIERS = new Set(['Flag', 'EFlag']);

export function referencePollutantValues(groups: readonly CpGroup[]): PollutantValue[] {
  const flags = new Map<string, { flag?: string; eflag?: string }>();
  const values: Array<{ code: string; field: string; value: string }> = [];
  for (const group of groups) {
    for (const [key, value] of group) {
      const dash = key.indexOf('-');
      if (dash <= 0 || dash === key.length - 1) continue;
      const code = key.slice(0, dash);
      const field = key.slice(dash + 1);
      if (QUALIFIERS.has(field)) {
        const q = flags.get(code) ?? {};
        if (field === 'Flag') q.flag = value;
        else q.eflag = value;
        flags.set(code, q);
      } else {
        values.push({ code, field, value });
      }
    }
  }
  return values.map((v) => {
    const q = flags.get(v.code);
    return { ...v, ...(q?.flag !== undefined ? { flag: q.flag } : {}), ...(q?.eflag !== undefined ? { eflag: q.eflag } : {}) };
  });
}

export function referenceCpRecords(groups: readonly CpGroup[]): CpRecord[] {
  const records: CpRecord[] = [];
  let fields: CpGroup[] = [];
  let dataTime: string | undefined;
  let started = false;
  const close = () => {
    const values = referencePollutantValues(fields);
    if (started || values.length) records.push({ ...(dataTime !== undefined ? { dataTime } : {}), values });
  };
  for (const group of groups) {
    let rest: CpGroup = [];
    for (const field of group) {
      if (field[0] === 'DataTime') {
        if (rest.length) fields.push(rest);
        close();
        fields = [];
        rest = [];
        dataTime = field[1];
        started = true;
      } else {
        rest.push(field);
      }
    }
    if (rest.length) fields.push(rest);
  }
  close();
  return records;
}
