/**
 * What the platform (the gateway) sends a station, and how the station's replies are read:
 * - 9014 data acknowledgement, sent when a data packet asks for one (Flag bit A);
 * - requests such as 1012 set time or 1062 set real-time interval, answered first by a 9011
 *   (QnRtn: 1 = will execute) and then by a 9012 (ExeRtn: 1 = done), both carrying the request's QN.
 * Replies use ST=91 and Flag without the A bit, so nobody acknowledges an acknowledgement.
 */
import { SensegateError, printable } from '@sensegate/sdk';
import { CN, EXE_RTN, QN_RTN, ST } from './codes.js';
import { cpFields, parseCp, type CpField } from './cp.js';
import { makeFlag, type Dialect } from './flags.js';
import type { Packet } from './packet.js';

/** The 9014 acknowledgement of a data packet: same QN, PW and MN, ST=91, `CP=&&&&`. */
export function buildDataAck(request: Packet, dialect: Dialect = '2017'): Packet {
  return {
    ...(request.qn !== undefined ? { qn: request.qn } : {}),
    st: ST.SYSTEM,
    cn: CN.DATA_ACK,
    pw: request.pw,
    mn: request.mn,
    flag: makeFlag({ dialect }),
    cp: '',
  };
}

/** A station's 9011 answer to a request: `QnRtn=<code>`, same QN. */
export function buildRequestReply(request: Packet, qnRtn: string | number, dialect: Dialect = '2017'): Packet {
  return reply(request, CN.REQUEST_REPLY, `QnRtn=${qnRtn}`, dialect);
}

/** A station's 9012 result of a request: `ExeRtn=<code>`, same QN. */
export function buildExecutionResult(request: Packet, exeRtn: string | number, dialect: Dialect = '2017'): Packet {
  return reply(request, CN.EXECUTION_RESULT, `ExeRtn=${exeRtn}`, dialect);
}

function reply(request: Packet, cn: string, cp: string, dialect: Dialect): Packet {
  return {
    ...(request.qn !== undefined ? { qn: request.qn } : {}),
    st: ST.SYSTEM,
    cn,
    pw: request.pw,
    mn: request.mn,
    flag: makeFlag({ dialect }),
    cp,
  };
}

/** A request from the platform to a station (1012, 1062, ...), asking for a 9011 reply (Flag bit A). */
export function buildRequest(options: {
  qn: string;
  st: string;
  cn: string;
  pw: string;
  mn: string;
  fields?: readonly CpField[];
  dialect?: Dialect;
}): Packet {
  return {
    qn: options.qn,
    st: options.st,
    cn: options.cn,
    pw: options.pw,
    mn: options.mn,
    flag: makeFlag({ dialect: options.dialect ?? '2017', ack: true }),
    cp: (options.fields ?? []).map(([k, v]) => `${k}=${v}`).join(';'),
  };
}

export interface ReturnCode {
  kind: 'request' | 'execution';
  /** The code as sent, e.g. `1`, `2`, `100`. */
  code: string;
  meaning: string;
  ok: boolean;
}

/**
 * Reads the return code of a 9011 (QnRtn) or 9012 (ExeRtn) packet; undefined for other packets.
 * Throws SG_PROTOCOL_ERROR when a reply lacks its code.
 */
export function readReturnCode(packet: Packet): ReturnCode | undefined {
  if (packet.cn !== CN.REQUEST_REPLY && packet.cn !== CN.EXECUTION_RESULT) return undefined;
  const request = packet.cn === CN.REQUEST_REPLY;
  const key = request ? 'QnRtn' : 'ExeRtn';
  const code = cpFields(parseCp(packet.cp)).get(key);
  if (code === undefined) throw new SensegateError('SG_PROTOCOL_ERROR', `a ${packet.cn} reply without ${key}`);
  const table = request ? QN_RTN : EXE_RTN;
  // The code is the station's text: escaped, since it ends up in error messages and logs.
  return { kind: request ? 'request' : 'execution', code: printable(code, 20), meaning: table[code] ?? `unknown ${key}`, ok: code === '1' };
}
