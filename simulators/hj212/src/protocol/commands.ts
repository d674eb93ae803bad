/**
 * How the station answers the platform's requests, as HJ 212-2017 lays out the exchange: a 9011
 * (QnRtn=1: will do; 2 refused; 3 wrong PW; 4 wrong MN; 8 unknown CN), then for a query the data
 * it asked for (same CN and QN), then a 9012 (ExeRtn=1 done; 2 failed; 3 bad request). Every
 * reply carries the request's QN. The fault plan can make the station refuse or fail on demand.
 */
import {
  CN,
  buildExecutionResult,
  buildRequestReply,
  cpFields,
  formatCp,
  formatDataTime,
  makeFlag,
  parseCp,
  parseDataTime,
  type CpField,
  type Packet,
} from '@sensegate/driver-hj212/protocol';
import type { StationFaults } from '../wire/faults.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;

/** What a command can read and change on the station. */
export interface CommandTarget {
  readonly mn: string;
  readonly st: string;
  readonly password: string;
  readonly timeZone: string;
  readonly realtimeInterval: number;
  readonly minuteInterval: number;
  stationTime(): number;
  setStationTime(ms: number): void;
  setRealtimeInterval(ms: number): void;
  setMinuteInterval(ms: number): void;
  setPassword(password: string): void;
}

export interface CommandAnswer {
  /** Packets to send, in order (built with the station's own PW and MN). */
  replies: Packet[];
  qnRtn: string;
  exeRtn?: string;
  /** One line for people: what was asked and what the station did. */
  detail: string;
}

const QN_READY = '1';
const QN_REFUSED = '2';
const QN_WRONG_PW = '3';
const QN_WRONG_MN = '4';
const QN_WRONG_CN = '8';
const EXE_DONE = '1';
const EXE_FAILED = '2';
const EXE_BAD_REQUEST = '3';

/** Commands the station knows; anything else gets QnRtn=8. */
export const SUPPORTED_COMMANDS: readonly string[] = [
  CN.GET_TIME,
  CN.SET_TIME,
  CN.GET_REALTIME_INTERVAL,
  CN.SET_REALTIME_INTERVAL,
  CN.GET_MINUTE_INTERVAL,
  CN.SET_MINUTE_INTERVAL,
  CN.SET_PASSWORD,
];

interface Execution {
  exeRtn: string;
  /** CP fields of the data reply of a query. */
  data?: CpField[];
  detail: string;
  /** Applied after the replies are built (a new password takes effect after the 9012). */
  after?: () => void;
}

export function answerCommand(request: Packet, target: CommandTarget, faults: StationFaults): CommandAnswer {
  const own = (p: Packet): Packet => ({ ...p, pw: target.password, mn: target.mn });
  const reject = (qnRtn: string, why: string): CommandAnswer => ({
    replies: [own(buildRequestReply(request, qnRtn))],
    qnRtn,
    detail: `${request.cn} refused (QnRtn=${qnRtn}): ${why}`,
  });
  if (request.mn !== target.mn) return reject(QN_WRONG_MN, `MN ${request.mn} is not this station's`);
  if (request.pw !== target.password) return reject(QN_WRONG_PW, 'wrong password');
  if (!SUPPORTED_COMMANDS.includes(request.cn)) return reject(QN_WRONG_CN, 'command not supported');
  if (faults.take('refuse')) return reject(QN_REFUSED, 'refuse fault');

  let fields: Map<string, string>;
  try {
    fields = cpFields(parseCp(request.cp));
  } catch {
    fields = new Map();
  }
  const run: Execution = faults.take('fail') ? { exeRtn: EXE_FAILED, detail: 'fail fault' } : execute(request.cn, fields, target);
  const replies = [own(buildRequestReply(request, QN_READY))];
  if (run.data) {
    replies.push({ qn: request.qn!, st: target.st, cn: request.cn, pw: target.password, mn: target.mn, flag: makeFlag(), cp: formatCp([run.data]) });
  }
  replies.push(own(buildExecutionResult(request, run.exeRtn)));
  run.after?.();
  return { replies, qnRtn: QN_READY, exeRtn: run.exeRtn, detail: `${request.cn} ${run.detail} (ExeRtn=${run.exeRtn})` };
}

function execute(cn: string, fields: Map<string, string>, target: CommandTarget): Execution {
  const bad = (why: string): Execution => ({ exeRtn: EXE_BAD_REQUEST, detail: why });
  switch (cn) {
    case CN.GET_TIME: {
      const polId = fields.get('PolId');
      const now = formatDataTime(target.stationTime(), target.timeZone);
      return { exeRtn: EXE_DONE, data: [...(polId ? [['PolId', polId] as CpField] : []), ['SystemTime', now]], detail: `time is ${now}` };
    }
    case CN.SET_TIME: {
      const text = fields.get('SystemTime');
      if (!text) return bad('no SystemTime');
      let ms: number;
      try {
        ms = parseDataTime(text, target.timeZone);
      } catch {
        return bad(`SystemTime=${text} is not a time`);
      }
      target.setStationTime(ms);
      return { exeRtn: EXE_DONE, detail: `clock set to ${text}` };
    }
    case CN.GET_REALTIME_INTERVAL:
      return { exeRtn: EXE_DONE, data: [['RtdInterval', String(Math.round(target.realtimeInterval / 1000))]], detail: `real-time interval is ${target.realtimeInterval / 1000} s` };
    case CN.SET_REALTIME_INTERVAL: {
      // The standard asks for 30..3600 s; shorter intervals are accepted so that tests run fast.
      const s = wholeNumber(fields.get('RtdInterval'), 1, 3600);
      if (s === undefined) return bad(`RtdInterval=${fields.get('RtdInterval') ?? ''} is not 1..3600 seconds`);
      target.setRealtimeInterval(s * 1000);
      return { exeRtn: EXE_DONE, detail: `real-time interval set to ${s} s` };
    }
    case CN.GET_MINUTE_INTERVAL:
      return { exeRtn: EXE_DONE, data: [['MinInterval', String(target.minuteInterval / MINUTE)]], detail: `minute interval is ${target.minuteInterval / MINUTE} min` };
    case CN.SET_MINUTE_INTERVAL: {
      const m = wholeNumber(fields.get('MinInterval'), 1, 60);
      if (m === undefined || HOUR % (m * MINUTE) !== 0) return bad(`MinInterval=${fields.get('MinInterval') ?? ''} does not divide an hour`);
      target.setMinuteInterval(m * MINUTE);
      return { exeRtn: EXE_DONE, detail: `minute interval set to ${m} min` };
    }
    case CN.SET_PASSWORD: {
      const pw = fields.get('NewPW');
      if (!pw || !/^[^;,=&\r\n]{1,32}$/.test(pw)) return bad('no valid NewPW');
      return { exeRtn: EXE_DONE, detail: 'password changed', after: () => target.setPassword(pw) };
    }
    default:
      return bad('not supported');
  }
}

function wholeNumber(text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined || !/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return n >= min && n <= max ? n : undefined;
}
