/** Data segment parsing as first written: split and a Map (see src/protocol/packet.ts). */
import { SensegateError } from '@sensegate/sdk';
import type { Packet } from '@sensegate/driver-hj212/protocol';

const CP_OPEN = 'CP=&&';
const CP_CLOSE = '&&';
const REQUIRED = ['ST', 'CN', 'PW', 'MN'] as const;

function fail(message: string): never {
  throw new SensegateError('SG_PROTOCOL_ERROR', message);
}

function integer(key: string, text: string, min: number, max: number): number {
  if (!/^\d{1,4}$/.test(text) || Number(text) < min || Number(text) > max) fail(`${key}=${text} is not an integer from ${min} to ${max}`);
  return Number(text);
}

/** Parses a data segment; throws SG_PROTOCOL_ERROR naming the first problem. */
export function referenceParseSegment(segment: string): Packet {
  const open = segment.indexOf(CP_OPEN);
  if (open < 0) fail('no `CP=&&` in the data segment');
  if (!segment.endsWith(CP_CLOSE) || segment.length < open + CP_OPEN.length + CP_CLOSE.length) {
    fail('the data segment does not end with the `&&` that closes CP');
  }
  if (open > 0 && segment[open - 1] !== ';') fail('`CP=&&` is not preceded by `;`');
  const header = new Map<string, string>();
  const head = segment.slice(0, Math.max(0, open - 1));
  for (const part of head.length ? head.split(';') : []) {
    const eq = part.indexOf('=');
    if (eq <= 0) fail(`header field "${part}" is not key=value`);
    const key = part.slice(0, eq);
    if (header.has(key)) fail(`header field ${key} appears twice`);
    header.set(key, part.slice(eq + 1));
  }
  for (const key of REQUIRED) if (!header.get(key)) fail(`header field ${key} is missing`);
  const packet: Packet = {
    st: header.get('ST')!,
    cn: header.get('CN')!,
    pw: header.get('PW')!,
    mn: header.get('MN')!,
    cp: segment.slice(open + CP_OPEN.length, segment.length - CP_CLOSE.length),
  };
  if (!/^\d{4}$/.test(packet.cn)) fail(`CN=${packet.cn} is not a four-digit command code`);
  if (!/^\d{2}$/.test(packet.st)) fail(`ST=${packet.st} is not a two-digit system code`);
  if (!/^[A-Za-z0-9]{1,32}$/.test(packet.mn)) fail(`MN=${packet.mn} is not 1..32 letters and digits`);
  const qn = header.get('QN');
  if (qn !== undefined) {
    if (!/^\d{14,20}$/.test(qn)) fail(`QN=${qn} is not a time stamp yyyyMMddHHmmssSSS`);
    packet.qn = qn;
  }
  const flag = header.get('Flag');
  if (flag !== undefined) packet.flag = integer('Flag', flag, 0, 255);
  const pnum = header.get('PNUM');
  const pno = header.get('PNO');
  if (pnum !== undefined) packet.pnum = integer('PNUM', pnum, 1, 9999);
  if (pno !== undefined) packet.pno = integer('PNO', pno, 1, 9999);
  if ((packet.pnum === undefined) !== (packet.pno === undefined)) fail('PNUM and PNO come together');
  if (packet.pnum !== undefined && packet.pno! > packet.pnum) fail(`PNO=${packet.pno} is beyond PNUM=${packet.pnum}`);
  return packet;
}
