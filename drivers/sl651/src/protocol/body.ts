/**
 * Message bodies. Every body starts with a serial number (2 bytes) and the send time (6 BCD bytes);
 * a keep-alive (2F) has nothing else. Reports go on with guided groups and elements:
 *
 *   F1 F1 station address (5) category (1)   the station that measured
 *   F0 F0 yyMMddHHmm                          observation time of the elements after it
 *   04 18 DDHHmm                              time step (equal-interval report 31)
 *   id definition value                       an element: see element-value.ts
 *   FF id definition value                    an extended (user-defined) element
 *   F4 60 + 12 HEX bytes / F5-FC C0 + 12 HEX words   5-minute series of the past hour (hourly report)
 *   F2 F2 ... / F3 F3 ...                     manual data / image: the rest of the body
 *
 * A body is decoded as far as it is understood; where it stops and why is reported, so the values
 * before that point are still delivered.
 */
import { SensegateError } from '@sensegate/sdk';
import { bcdBytes, bcdDigits } from './bcd.js';
import { elementInfo, elementKind } from './elements.js';
import { decodeNumber, definitionByte, encodeNoData, encodeNumber, readDefinition, type NumberValue } from './element-value.js';
import { toHex } from './hex.js';
import { readStationTime, writeStationTime, type StationTime } from './station-time.js';

export interface Sample {
  /** Minutes after the element's observation time (negative: before it). */
  offsetMinutes: number;
  value: NumberValue;
}

export interface ElementReading {
  /** Canonical identifier: `39`, `FF38`, `F4`. */
  id: string;
  /** The observation time in effect (the last F0 F0 before the element). */
  observed?: StationTime;
  /** One sample for a plain value; one per interval for a series. */
  samples: Sample[];
}

export interface MessageBody {
  serial: number;
  /** The send time, if it is a valid BCD time. */
  sendTime?: StationTime;
  /** Serial number and send time as received (8 bytes): the confirmation echoes them. */
  head: Uint8Array;
  /** From F1 F1: the measuring station's address and category (e.g. 0x50 `P` rainfall, 0x48 `H` river). */
  station?: string;
  category?: number;
  /** The first observation time. */
  observed?: StationTime;
  elements: ElementReading[];
  /** Where and why decoding stopped before the end of the body, if it did. */
  stopped?: { offset: number; reason: string };
}

/** Equal-interval report: its single element's values fill the rest of the body, one per time step. */
export const EQUAL_INTERVAL = 0x31;
const SERIES_LENGTH = 12;
const SERIES_STEP = 5;

export function decodeBody(functionCode: number, body: Uint8Array): MessageBody {
  if (body.length < 8) {
    throw new SensegateError('SG_PROTOCOL_ERROR', `a body needs at least a serial number and a send time (8 bytes), got ${body.length}`, {
      status: 'sl651:short-body',
    });
  }
  const out: MessageBody = { serial: (body[0]! << 8) | body[1]!, head: body.subarray(0, 8), elements: [] };
  const sendTime = readStationTime(body.subarray(2, 8));
  if (sendTime) out.sendTime = sendTime;
  let at = 8;
  let observed: StationTime | undefined;
  let step: number | undefined;
  const stopAt = (reason: string): MessageBody => {
    out.stopped = { offset: at, reason };
    return out;
  };
  while (at < body.length) {
    const first = body[at]!;
    const extended = first === 0xff;
    if (extended && at + 1 >= body.length) return stopAt('FF without an identifier after it');
    const id = extended ? `FF${toHex(body, at + 1, at + 2)}` : toHex(body, at, at + 1);
    const after = at + (extended ? 2 : 1);
    if (!extended && first === 0xf1) {
      if (body[after] !== 0xf1 || after + 7 > body.length) return stopAt('F1 is not followed by F1 and a 6-byte station address and category');
      out.station = toHex(body, after + 1, after + 6);
      out.category = body[after + 6]!;
      at = after + 7;
      continue;
    }
    if (!extended && first === 0xf0) {
      const time = body[after] === 0xf0 && after + 6 <= body.length ? readStationTime(body.subarray(after + 1, after + 6)) : undefined;
      if (!time) return stopAt('F0 is not followed by F0 and a valid yyMMddHHmm observation time');
      observed = time;
      out.observed ??= time;
      at = after + 6;
      continue;
    }
    if (!extended && (first === 0xf2 || first === 0xf3)) {
      return stopAt(first === 0xf2 ? 'manual data (F2) is not decoded' : 'image data (F3) is not decoded');
    }
    if (after >= body.length) return stopAt(`element ${id} has no definition byte`);
    const { size, decimals } = readDefinition(body[after]!);
    const valueAt = after + 1;
    if (size === 0) return stopAt(`element ${id} has a definition byte of size 0`);
    if (valueAt + size > body.length) return stopAt(`element ${id} needs ${size} bytes, ${body.length - valueAt} left`);
    const bytes = body.subarray(valueAt, valueAt + size);
    if (!extended && first === 0x04) {
      const digits = bcdDigits(bytes);
      if (digits === undefined || digits.length !== 6) return stopAt('time step (04) is not 3 BCD bytes DDHHmm');
      step = Number(digits.slice(0, 2)) * 1440 + Number(digits.slice(2, 4)) * 60 + Number(digits.slice(4, 6));
      at = valueAt + size;
      continue;
    }
    const reading: ElementReading = { id, ...(observed ? { observed } : {}), samples: [] };
    const kind = extended ? 'number' : elementKind(id);
    if (kind === 'rainSeries' || kind === 'levelSeries') {
      const width = kind === 'rainSeries' ? 1 : 2;
      const count = Math.floor(size / width);
      for (let i = 0; i < count; i++) {
        const raw = width === 1 ? bytes[i]! : (bytes[2 * i]! << 8) | bytes[2 * i + 1]!;
        const none = width === 1 ? raw === 0xff : raw === 0xffff;
        // Sample i ends its 5 minutes at observation time - (count - 1 - i) * 5 minutes.
        reading.samples.push({
          offsetMinutes: (i - count + 1) * SERIES_STEP,
          value: none ? { kind: 'no-data' } : { kind: 'value', value: width === 1 ? raw / 10 : raw / 100 },
        });
      }
      at = valueAt + size;
    } else if (kind === 'status') {
      reading.samples.push({ offsetMinutes: 0, value: { kind: 'value', value: Buffer.from(bytes).readUIntBE(0, Math.min(size, 6)) } });
      at = valueAt + size;
    } else if (functionCode === EQUAL_INTERVAL && step !== undefined) {
      const count = Math.floor((body.length - valueAt) / size);
      for (let i = 0; i < count; i++) {
        reading.samples.push({ offsetMinutes: i * step, value: decodeNumber(body.subarray(valueAt + i * size, valueAt + (i + 1) * size), decimals) });
      }
      at = valueAt + count * size;
      out.elements.push(reading);
      if (at < body.length) return stopAt(`${body.length - at} bytes after the equal-interval values of ${id}`);
      continue;
    } else {
      reading.samples.push({ offsetMinutes: 0, value: decodeNumber(bytes, decimals) });
      at = valueAt + size;
    }
    out.elements.push(reading);
  }
  return out;
}

/** What the simulator (or a test) puts in a report. */
export interface ElementToEncode {
  /** Identifier (`39`, `FF38`, `F4`). */
  id: string;
  /** One value; `null` sends all FF (no data). */
  value?: number | null;
  /** A series (F4, F5-FC: 12 values) or the values of an equal-interval report. */
  values?: Array<number | null>;
  /** Value size in bytes, and decimals; default: the standard's definition of the element. */
  size?: number;
  decimals?: number;
}

export interface ReportToEncode {
  serial: number;
  sendTime: StationTime;
  station: string;
  /** Station category, e.g. 0x50 `P` rainfall, 0x48 `H` river, 0x4B `K` reservoir. */
  category: number;
  observed: StationTime;
  /** Time step in minutes, for an equal-interval report (31). */
  step?: number;
  elements: ElementToEncode[];
}

/** Serial number and send time: the whole body of a keep-alive and of a confirmation. */
export function encodeHead(serial: number, sendTime: StationTime): Buffer {
  const out = Buffer.alloc(2);
  out.writeUInt16BE(serial & 0xffff);
  return Buffer.concat([out, writeStationTime(sendTime, true)]);
}

export function encodeReportBody(report: ReportToEncode): Buffer {
  const parts: Buffer[] = [
    encodeHead(report.serial, report.sendTime),
    Buffer.of(0xf1, 0xf1),
    Buffer.from(report.station, 'hex'),
    Buffer.of(report.category),
    Buffer.of(0xf0, 0xf0),
    writeStationTime(report.observed, false),
  ];
  if (report.step !== undefined) {
    const d = Math.floor(report.step / 1440);
    const h = Math.floor((report.step % 1440) / 60);
    parts.push(Buffer.of(0x04, definitionByte(3, 0)), bcdBytes(`${pad(d)}${pad(h)}${pad(report.step % 60)}`, 3));
  }
  for (const element of report.elements) parts.push(encodeElement(element));
  return Buffer.concat(parts);
}

export function encodeElement(element: ElementToEncode): Buffer {
  const id = element.id.toUpperCase();
  const idBytes = Buffer.from(id, 'hex');
  const kind = id.length === 2 ? elementKind(id) : 'number';
  if (kind === 'rainSeries' || kind === 'levelSeries') {
    const values = element.values ?? [];
    const width = kind === 'rainSeries' ? 1 : 2;
    const out = Buffer.alloc(values.length * width, 0xff);
    values.forEach((v, i) => {
      if (v === null) return;
      const raw = Math.round(v * (width === 1 ? 10 : 100));
      const max = width === 1 ? 0xfe : 0xfffe;
      if (raw < 0 || raw > max) throw new RangeError(`${id} series value ${v} is outside 0..${max / (width === 1 ? 10 : 100)}`);
      if (width === 1) out[i] = raw;
      else out.writeUInt16BE(raw, 2 * i);
    });
    return Buffer.concat([idBytes, Buffer.of(definitionByte(out.length, 0)), out]);
  }
  const info = elementInfo(id);
  const size = element.size ?? (info?.digits !== undefined ? Math.ceil(info.digits / 2) : undefined);
  const decimals = element.decimals ?? info?.decimals ?? 0;
  if (size === undefined) throw new RangeError(`element ${id} has no standard size: give size and decimals`);
  if (element.values) {
    // Equal-interval values share one definition byte; a negative value would change the size, so refuse it.
    const encoded = element.values.map((v) => (v === null ? encodeNoData(size, decimals) : encodeNumber(v, size, decimals)));
    if (encoded.some((e) => e.bytes.length !== size)) throw new RangeError(`equal-interval values of ${id} must be non-negative`);
    return Buffer.concat([idBytes, Buffer.of(definitionByte(size, decimals)), ...encoded.map((e) => e.bytes)]);
  }
  const value = element.value === undefined || element.value === null ? encodeNoData(size, decimals) : encodeNumber(element.value, size, decimals);
  return Buffer.concat([idBytes, Buffer.of(value.definition), value.bytes]);
}

const pad = (n: number) => String(n).padStart(2, '0');
