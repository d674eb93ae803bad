/**
 * The CP read straight into records in one pass over the text: exactly what
 * `cpRecords(parseCp(cp))` gives, errors included, without the groups and [key, value] pairs in
 * between. This is what the driver runs for every upload, so it slices only what it returns and
 * recognises `DataTime`, `-Flag` and `-EFlag` in place.
 */
import { SensegateError, printable } from '@sensegate/sdk';
import { closeRecord, type CpRecord, type PollutantValue } from './cp.js';

const DASH = 0x2d;

/** Whether `text[at..end)` is exactly `word`. */
function is(text: string, at: number, end: number, word: string): boolean {
  return end - at === word.length && text.startsWith(word, at);
}

/** A separator's position, or the end of the text if there is none. */
function orEnd(found: number, length: number): number {
  return found < 0 ? length : found;
}

/**
 * A code's `-Flag` or `-EFlag` applies to every value of that code in its record, wherever it is
 * sent, and the last one sent wins. Rather than a map per record, the qualifiers seen so far in
 * the record are kept as positions in the text with a hash of their code: a new value looks
 * through them, a new qualifier looks through the values so far. The hash only spares string
 * comparisons; equal codes are still compared. These arrays are scratch space shared by every
 * call (calls never overlap), written from index 0 for each record and never shrunk.
 */
const valueHashes: number[] = [];
const qualifierHashes: number[] = [];
const qualifierStarts: number[] = [];
const qualifierEnds: number[] = [];
const qualifierIsFlag: boolean[] = [];
const qualifierValues: string[] = [];

function setQualifier(v: PollutantValue, isFlag: boolean, value: string): void {
  if (isFlag) v.flag = value;
  else v.eflag = value;
}

/** Whether `text[at..end)` is `code`. */
function sameCode(code: string, text: string, at: number, end: number): boolean {
  return code.length === end - at && text.startsWith(code, at);
}

export function readCpRecords(cp: string): CpRecord[] {
  const records: CpRecord[] = [];
  let values: PollutantValue[] = [];
  let dataTime: string | undefined;
  let started = false;
  let qualifiers = 0; // in this record
  // The next `;` and `,` are found once each and reused until passed, so the text is scanned once.
  let semicolon = -1;
  let comma = -1;
  const length = cp.length;
  for (let at = 0; at < length; ) {
    if (semicolon < at) semicolon = orEnd(cp.indexOf(';', at), length);
    if (comma < at) comma = orEnd(cp.indexOf(',', at), length);
    const end = semicolon < comma ? semicolon : comma;
    if (end === at) {
      at++; // an empty field or group (`;;`, a trailing `;`): harmless
      continue;
    }
    const eq = cp.indexOf('=', at);
    if (eq <= at || eq >= end) throw new SensegateError('SG_PROTOCOL_ERROR', `CP field "${printable(cp.slice(at, Math.min(end, at + 40)))}" is not key=value`);
    if (is(cp, at, eq, 'DataTime')) {
      closeRecord(records, started, dataTime, values);
      values = [];
      qualifiers = 0;
      dataTime = cp.slice(eq + 1, end);
      started = true;
      at = end + 1;
      continue;
    }
    // Keys are short: a plain loop finds the dash (and hashes the code) without searching past the key.
    let dash = at;
    let hash = 0;
    for (let c = cp.charCodeAt(dash); dash < eq && c !== DASH; c = cp.charCodeAt(++dash)) hash = (hash * 31 + c) | 0;
    if (dash > at && dash < eq - 1) {
      const isFlag = is(cp, dash + 1, eq, 'Flag');
      if (isFlag || is(cp, dash + 1, eq, 'EFlag')) {
        const value = cp.slice(eq + 1, end);
        for (let i = 0; i < values.length; i++) {
          if (valueHashes[i] === hash && sameCode(values[i]!.code, cp, at, dash)) setQualifier(values[i]!, isFlag, value);
        }
        qualifierHashes[qualifiers] = hash;
        qualifierStarts[qualifiers] = at;
        qualifierEnds[qualifiers] = dash;
        qualifierIsFlag[qualifiers] = isFlag;
        qualifierValues[qualifiers] = value;
        qualifiers++;
      } else {
        const v: PollutantValue = { code: cp.slice(at, dash), field: cp.slice(dash + 1, eq), value: cp.slice(eq + 1, end) };
        for (let i = 0; i < qualifiers; i++) {
          if (qualifierHashes[i] === hash && sameCode(v.code, cp, qualifierStarts[i]!, qualifierEnds[i]!)) setQualifier(v, qualifierIsFlag[i]!, qualifierValues[i]!);
        }
        valueHashes[values.length] = hash;
        values.push(v);
      }
    }
    at = end + 1;
  }
  closeRecord(records, started, dataTime, values);
  return records;
}
