/**
 * The data segment: `QN=..;ST=..;CN=..;PW=..;MN=..;Flag=..;[PNUM=..;PNO=..;]CP=&&...&&`.
 * HJ/T 212-2005 loggers often leave out QN and Flag; both are optional here. `cp` keeps the raw
 * text between `CP=&&` and the closing `&&`; `parseCp` splits it.
 */
import { SensegateError, printable } from '@sensegate/sdk';

export interface Packet {
  /** Request id, `yyyyMMddHHmmssSSS`; ties replies to their request. */
  qn?: string;
  /** System code: 22 air quality, 21 surface water, 31/32 pollution sources, 91 system replies, ... */
  st: string;
  /** Command code, e.g. 2011 real-time data. */
  cn: string;
  pw: string;
  /** Station id: 24 characters in 2017, 14 in 2005. */
  mn: string;
  flag?: number;
  /** Number of packets in a split set. */
  pnum?: number;
  /** This packet's number in a split set, from 1. */
  pno?: number;
  /** Raw text between `CP=&&` and `&&`. */
  cp: string;
}

const CP_OPEN = 'CP=&&';
const CP_CLOSE = '&&';
const HEADER_KEYS = ['QN', 'ST', 'CN', 'PW', 'MN', 'Flag', 'PNUM', 'PNO'] as const;
const VALUE = /^[^;=&]*$/;
const SEMICOLON = 0x3b;

function fail(message: string): never {
  throw new SensegateError('SG_PROTOCOL_ERROR', message);
}

/**
 * Wire text quoted in an error message: control characters escaped (a CN holding a newline must
 * not start a log line), cut short, and nothing after a `PW` shown (a malformed field may still
 * be a password).
 */
function quote(text: string): string {
  const pw = text.indexOf('PW');
  return printable(pw >= 0 ? `${text.slice(0, pw + 2)}***` : text, 40);
}

/** `text` is `min`..`max` ASCII digits (what `/^\d{min,max}$/` says, without a regex per field). */
function isDigits(text: string, min: number, max: number): boolean {
  if (text.length < min || text.length > max) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

function isAlphanumeric(text: string, min: number, max: number): boolean {
  if (text.length < min || text.length > max) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x30 || c > 0x39) && (c < 0x41 || c > 0x5a) && (c < 0x61 || c > 0x7a)) return false;
  }
  return true;
}

function integer(key: string, text: string, min: number, max: number): number {
  if (!isDigits(text, 1, 4) || Number(text) < min || Number(text) > max) fail(`${key}=${quote(text)} is not an integer from ${min} to ${max}`);
  return Number(text);
}

/** The header fields as read, before they are checked. */
interface Header {
  qn?: string | undefined;
  st?: string | undefined;
  cn?: string | undefined;
  pw?: string | undefined;
  mn?: string | undefined;
  flag?: string | undefined;
  pnum?: string | undefined;
  pno?: string | undefined;
}

const HEADER_NAMES: ReadonlyArray<[key: string, name: keyof Header]> = [
  ['QN', 'qn'],
  ['ST', 'st'],
  ['CN', 'cn'],
  ['PW', 'pw'],
  ['MN', 'mn'],
  ['Flag', 'flag'],
  ['PNUM', 'pnum'],
  ['PNO', 'pno'],
];

/** Which standard field `segment[at..eq)` names, compared in place: no key is sliced to be looked up. */
function headerName(segment: string, at: number, eq: number): keyof Header | undefined {
  for (const [key, name] of HEADER_NAMES) if (eq - at === key.length && segment.startsWith(key, at)) return name;
  return undefined;
}

/**
 * Reads the header fields in `segment[0..end)` in one pass. Keys other than the standard's are
 * allowed and ignored, but like every key they may appear only once.
 */
function readHeader(segment: string, end: number): Header {
  // Every field present from the start keeps one object shape, whatever order the fields come in.
  const header: Header = { qn: undefined, st: undefined, cn: undefined, pw: undefined, mn: undefined, flag: undefined, pnum: undefined, pno: undefined };
  let others: Set<string> | undefined;
  let at = 0;
  while (at < end) {
    let stop = segment.indexOf(';', at);
    if (stop < 0 || stop > end) stop = end;
    const eq = segment.indexOf('=', at);
    if (eq < 0 || eq >= stop || eq === at) fail(`header field "${quote(segment.slice(at, stop))}" is not key=value`);
    const value = segment.slice(eq + 1, stop);
    const name = headerName(segment, at, eq);
    if (name === undefined) {
      const key = segment.slice(at, eq);
      others ??= new Set();
      if (others.has(key)) fail(`header field ${quote(key)} appears twice`);
      others.add(key);
    } else {
      if (header[name] !== undefined) fail(`header field ${segment.slice(at, eq)} appears twice`);
      header[name] = value;
    }
    // `a;;b` holds an empty field, which is no key=value: land on it rather than skip it.
    at = stop + 1;
    if (at === end && segment.charCodeAt(stop) === SEMICOLON) fail('header field "" is not key=value');
  }
  return header;
}

/** Parses a data segment; throws SG_PROTOCOL_ERROR naming the first problem. */
export function parseSegment(segment: string): Packet {
  const open = segment.indexOf(CP_OPEN);
  if (open < 0) fail('no `CP=&&` in the data segment');
  if (!segment.endsWith(CP_CLOSE) || segment.length < open + CP_OPEN.length + CP_CLOSE.length) {
    fail('the data segment does not end with the `&&` that closes CP');
  }
  if (open > 0 && segment.charCodeAt(open - 1) !== SEMICOLON) fail('`CP=&&` is not preceded by `;`');
  const header = readHeader(segment, Math.max(0, open - 1));
  if (!header.st) fail('header field ST is missing');
  if (!header.cn) fail('header field CN is missing');
  if (!header.pw) fail('header field PW is missing');
  if (!header.mn) fail('header field MN is missing');
  const packet: Packet = {
    st: header.st,
    cn: header.cn,
    pw: header.pw,
    mn: header.mn,
    cp: segment.slice(open + CP_OPEN.length, segment.length - CP_CLOSE.length),
  };
  if (!isDigits(packet.cn, 4, 4)) fail(`CN=${quote(packet.cn)} is not a four-digit command code`);
  if (!isDigits(packet.st, 2, 2)) fail(`ST=${quote(packet.st)} is not a two-digit system code`);
  if (!isAlphanumeric(packet.mn, 1, 32)) fail(`MN=${quote(packet.mn)} is not 1..32 letters and digits`);
  const { qn, flag, pnum, pno } = header;
  if (qn !== undefined) {
    if (!isDigits(qn, 14, 20)) fail(`QN=${quote(qn)} is not a time stamp yyyyMMddHHmmssSSS`);
    packet.qn = qn;
  }
  if (flag !== undefined) packet.flag = integer('Flag', flag, 0, 255);
  if (pnum !== undefined) packet.pnum = integer('PNUM', pnum, 1, 9999);
  if (pno !== undefined) packet.pno = integer('PNO', pno, 1, 9999);
  if ((packet.pnum === undefined) !== (packet.pno === undefined)) fail('PNUM and PNO come together');
  if (packet.pnum !== undefined && packet.pno! > packet.pnum) fail(`PNO=${packet.pno} is beyond PNUM=${packet.pnum}`);
  return packet;
}

/** Writes a data segment in the standard's field order; QN, Flag, PNUM and PNO only when set. */
export function formatSegment(p: Packet): string {
  const parts: string[] = [];
  const put = (key: (typeof HEADER_KEYS)[number], value: string | number | undefined) => {
    if (value === undefined) return;
    const text = String(value);
    if (!VALUE.test(text)) throw new SensegateError('SG_PROTOCOL_ERROR', `${key}=${text}: a header value cannot contain ; = or &`);
    parts.push(`${key}=${text}`);
  };
  put('QN', p.qn);
  put('ST', p.st);
  put('CN', p.cn);
  put('PW', p.pw);
  put('MN', p.mn);
  put('Flag', p.flag);
  put('PNUM', p.pnum);
  put('PNO', p.pno);
  if (p.cp.includes(CP_CLOSE)) throw new SensegateError('SG_PROTOCOL_ERROR', 'CP cannot contain `&&`');
  parts.push(`${CP_OPEN}${p.cp}${CP_CLOSE}`);
  return parts.join(';');
}
