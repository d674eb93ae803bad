/**
 * Commands to a station: what each named command sends, and the wait for its answers. The station
 * answers a request with a 9011 (QnRtn 1: it will execute) and then a 9012 (ExeRtn 1: done), both
 * with the request's QN. A command succeeds on ExeRtn 1 (a station that skips the 9011 is fine),
 * fails on any other return code, and times out if the 9012 does not come in time.
 */
import { SensegateError, type Value } from '@sensegate/sdk';
import { COMMANDS, type CommandName } from '../config/point.js';
import type { CpField } from '../protocol/cp.js';
import { formatDataTime } from '../protocol/data-time.js';
import type { Packet } from '../protocol/packet.js';
import { readReturnCode } from '../protocol/replies.js';

export interface CommandRequest {
  cn: string;
  fields: CpField[];
}

/** RtdInterval limits of HJ 212-2017, in seconds. */
export const REALTIME_INTERVAL = { min: 30, max: 3600 } as const;

function rejected(message: string): SensegateError {
  return new SensegateError('SG_WRITE_REJECTED', message);
}

function wholeNumber(name: string, value: Value, min: number, max: number): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    throw rejected(`${name} takes a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return n;
}

/**
 * The request a named command sends for a written value. `set-time` sends the gateway's clock
 * unless the value is a time: ms since the epoch, or `yyyyMMddHHmmss` in the station's zone.
 * Throws SG_WRITE_REJECTED for a value the command cannot take.
 */
export function commandRequest(name: CommandName, value: Value, timeZone: string, now: number = Date.now()): CommandRequest {
  switch (name) {
    case 'set-time': {
      let time = formatDataTime(now, timeZone);
      if (typeof value === 'number' && value > 0) time = formatDataTime(value, timeZone);
      else if (typeof value === 'string' && /^\d{14}$/.test(value)) time = value;
      else if (typeof value === 'string' && value !== '' && !Number.isNaN(Date.parse(value))) time = formatDataTime(Date.parse(value), timeZone);
      return { cn: COMMANDS[name], fields: [['SystemTime', time]] };
    }
    case 'realtime-interval':
      return { cn: COMMANDS[name], fields: [['RtdInterval', String(wholeNumber('realtime-interval (seconds)', value, REALTIME_INTERVAL.min, REALTIME_INTERVAL.max))]] };
    case 'minute-interval':
      return { cn: COMMANDS[name], fields: [['MinInterval', String(wholeNumber('minute-interval (minutes)', value, 1, 1440))]] };
  }
}

interface Pending {
  cn: string;
  resolve: () => void;
  reject: (err: SensegateError) => void;
  timer: NodeJS.Timeout;
  ready: boolean;
}

export class PendingRequests {
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly context: { driver: string; device: string; mn: string }) {}

  get size(): number {
    return this.pending.size;
  }

  /** Waits for the answers to the request with this QN; sets up the wait before the request is sent. */
  wait(qn: string, cn: string, timeout: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        const p = this.pending.get(qn);
        if (!p) return;
        this.pending.delete(qn);
        const missing = p.ready ? `accepted CN ${cn} (9011) but sent no execution result (9012)` : `did not answer CN ${cn}`;
        reject(this.error('SG_REQUEST_TIMEOUT', `station ${this.context.mn} ${missing} (QN ${qn}) within ${timeout} ms`, 'hj212:timeout'));
      }, timeout);
      this.pending.set(qn, { cn, resolve, reject, timer, ready: false });
    });
  }

  /** A 9011 or 9012 from the station; true if it answered a pending request. */
  answer(packet: Packet): boolean {
    const p = packet.qn === undefined ? undefined : this.pending.get(packet.qn);
    if (!p) return false;
    const rc = readReturnCode(packet);
    if (!rc) return false;
    if (rc.kind === 'request' && rc.ok) {
      p.ready = true;
      return true;
    }
    this.pending.delete(packet.qn!);
    clearTimeout(p.timer);
    if (rc.ok) p.resolve();
    else {
      const name = rc.kind === 'request' ? 'QnRtn' : 'ExeRtn';
      const what = rc.kind === 'request' ? 'refused' : 'failed';
      p.reject(this.error('SG_COMMAND_FAILED', `station ${this.context.mn} ${what} CN ${p.cn}: ${name}=${rc.code} (${rc.meaning})`, `hj212:${name}:${rc.code}`));
    }
    return true;
  }

  /** Fails one request (it could not be sent) or, without a QN, every pending request. */
  fail(error: SensegateError, qn?: string): void {
    for (const [key, p] of [...this.pending]) {
      if (qn !== undefined && key !== qn) continue;
      this.pending.delete(key);
      clearTimeout(p.timer);
      p.reject(error);
    }
  }

  private error(code: 'SG_REQUEST_TIMEOUT' | 'SG_COMMAND_FAILED', message: string, status: string): SensegateError {
    return new SensegateError(code, message, { driver: this.context.driver, device: this.context.device, status });
  }
}
