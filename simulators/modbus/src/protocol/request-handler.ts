/**
 * The Modbus application layer, shared by every framing: one request PDU in, one response PDU out,
 * written straight into the caller's output buffer. Reads are one slice copy from the unit's table.
 * Checks follow the specification's order: function (exception 1), quantity (3), address (2).
 */
import type { Table } from '../profile/schema.js';
import type { SimUnit } from '../unit.js';
import type { FaultState } from './faults.js';
import type { StatCounters } from './stats.js';

/** Returned instead of a length when the request gets no answer. */
export const NO_ANSWER = -1;
/** Longest response PDU: function code, byte count and 250 data bytes (or an echoed 253-byte PDU). */
export const MAX_PDU = 253;

export const EXCEPTION = {
  ILLEGAL_FUNCTION: 1,
  ILLEGAL_ADDRESS: 2,
  ILLEGAL_VALUE: 3,
  GATEWAY_TARGET_FAILED: 0x0b,
} as const;

export type UnknownUnitPolicy = 'exception' | 'silence';

export class RequestHandler {
  /** Broadcasts are executed by every unit; their output goes here and is thrown away. */
  private readonly discard = Buffer.alloc(MAX_PDU);

  constructor(
    private readonly units: ReadonlyArray<SimUnit | undefined>,
    private readonly faults: FaultState,
    private readonly stats: StatCounters,
    private readonly unknownUnit: UnknownUnitPolicy = 'exception',
  ) {}

  /**
   * Handles the PDU `req[start..end)` addressed to `unitId` and writes the answer at `out[pos]`.
   * `tcp`: an unknown unit answers exception 0x0B (a gateway with no such target); on a serial bus
   * it stays silent, as no slave answers, and unit 0 is a broadcast: executed, never answered.
   */
  handle(unitId: number, req: Buffer, start: number, end: number, out: Buffer, pos: number, tcp: boolean): number {
    const stats = this.stats;
    stats.requests++;
    stats.byFunction[req[start]!]!++;
    const unit = this.units[unitId];
    if (!unit) {
      if (!tcp && unitId === 0) {
        for (const u of this.units) if (u && !this.faults.isSilent(u.id)) this.execute(u, req, start, end, this.discard, 0);
        stats.unanswered++;
        return NO_ANSWER;
      }
      if (tcp && this.unknownUnit === 'exception') {
        stats.responses++;
        return this.exception(req[start]!, EXCEPTION.GATEWAY_TARGET_FAILED, out, pos);
      }
      stats.unanswered++;
      return NO_ANSWER;
    }
    if (this.faults.active && this.faults.isSilent(unitId)) {
      stats.unanswered++;
      return NO_ANSWER;
    }
    const n = this.execute(unit, req, start, end, out, pos);
    stats.responses++;
    return n;
  }

  private exception(fc: number, code: number, out: Buffer, pos: number): number {
    out[pos] = fc | 0x80;
    out[pos + 1] = code;
    this.stats.exceptions++;
    return 2;
  }

  /** A fault that applies to this request, or 0. */
  private fault(unitId: number, table: Table | undefined, address: number, count: number): number {
    return this.faults.hasExceptions ? this.faults.exceptionFor(unitId, table, address, count) : 0;
  }

  private execute(unit: SimUnit, req: Buffer, start: number, end: number, out: Buffer, pos: number): number {
    const fc = req[start]!;
    const len = end - start;
    const tables = unit.tables;
    switch (fc) {
      case 1:
      case 2: {
        if (len < 5) return this.exception(fc, EXCEPTION.ILLEGAL_VALUE, out, pos);
        const address = req.readUInt16BE(start + 1);
        const count = req.readUInt16BE(start + 3);
        const table = fc === 1 ? 'coil' : 'discrete';
        if (count < 1 || count > 2000) return this.exception(fc, EXCEPTION.ILLEGAL_VALUE, out, pos);
        const fault = this.fault(unit.id, table, address, count);
        if (fault) return this.exception(fc, fault, out, pos);
        const bits = tables[table];
        if (!bits.covers(address, count)) return this.exception(fc, EXCEPTION.ILLEGAL_ADDRESS, out, pos);
        out[pos] = fc;
        const bytes = bits.read(address, count, out, pos + 2);
        out[pos + 1] = bytes;
        return 2 + bytes;
      }
      case 3:
      case 4: {
        if (len < 5) return this.exception(fc, EXCEPTION.ILLEGAL_VALUE, out, pos);
        const address = req.readUInt16BE(start + 1);
        const count = req.readUInt16BE(start + 3);
        const table = fc === 3 ? 'holding' : 'input';
        if (count < 1 || count > 125) return this.exception(fc, EXCEPTION.ILLEGAL_VALUE, out, pos);
        const fault = this.fault(unit.id, table, address, count);
        if (fault) return this.exception(fc, fault, out, pos);
        const registers = tables[table];
        if (!registers.covers(address, count)) return this.exception(fc, EXCEPTION.ILLEGAL_ADDRESS, out, pos);
        out[pos] = fc;
        out[pos + 1] = count * 2;
        return 2 + registers.read(address, count, out, pos + 2);
      }
      case 5: {
        if (len < 5) return this.exception(fc, EXCEPTION.ILLEGAL_VALUE, out, pos);
        const address = req.readUInt16BE(start + 1);
        const value = req.readUInt16BE(start + 3);
        if (value !== 0xff00 && value !== 0x0000) return this.exception(fc, EXCEPTION.ILLEGAL_VALUE, out, pos);
        const fault = this.fault(unit.id, 'coil', address, 1);
        if (fault) return this.exception(fc, fault, out, pos);
        if (!tables.coil.covers(address, 1)) return this.exception(fc, EXCEPTION.ILLEGAL_ADDRESS, out, pos);
        tables.coil.set(address, value === 0xff00);
        unit.written('coil', address, 1);
        return req.copy(out, pos, start, start + 5);
      }
      case 6: {
        if (len < 5) return this.exception(fc, EXCEPTION.ILLEGAL_VALUE, out, pos);
        const address = req.readUInt16BE(start + 1);
        const fault = this.fault(unit.id, 'holding', address, 1);
        if (fault) return this.exception(fc, fault, out, pos);
        if (!tables.holding.covers(address, 1)) return this.exception(fc, EXCEPTION.ILLEGAL_ADDRESS, out, pos);
        tables.holding.write(address, 1, req, start + 3);
        unit.written('holding', address, 1);
        return req.copy(out, pos, start, start + 5);
      }
      case 15:
      case 16: {
        if (len < 6) return this.exception(fc, EXCEPTION.ILLEGAL_VALUE, out, pos);
        const address = req.readUInt16BE(start + 1);
        const count = req.readUInt16BE(start + 3);
        const byteCount = req[start + 5]!;
        const coils = fc === 15;
        const max = coils ? 1968 : 123;
        const expected = coils ? (count + 7) >> 3 : count * 2;
        if (count < 1 || count > max || byteCount !== expected || len < 6 + byteCount) {
          return this.exception(fc, EXCEPTION.ILLEGAL_VALUE, out, pos);
        }
        const table = coils ? 'coil' : 'holding';
        const fault = this.fault(unit.id, table, address, count);
        if (fault) return this.exception(fc, fault, out, pos);
        const target = tables[table];
        if (!target.covers(address, count)) return this.exception(fc, EXCEPTION.ILLEGAL_ADDRESS, out, pos);
        target.write(address, count, req, start + 6);
        unit.written(table, address, count);
        return req.copy(out, pos, start, start + 5);
      }
      case 8: {
        // Diagnostics: only sub-function 0, "return query data", which echoes the request.
        if (len < 3) return this.exception(fc, EXCEPTION.ILLEGAL_VALUE, out, pos);
        const fault = this.fault(unit.id, undefined, 0, 0);
        if (fault) return this.exception(fc, fault, out, pos);
        if (req.readUInt16BE(start + 1) !== 0) return this.exception(fc, EXCEPTION.ILLEGAL_FUNCTION, out, pos);
        return req.copy(out, pos, start, end);
      }
      default: {
        const fault = this.fault(unit.id, undefined, 0, 0);
        return this.exception(fc, fault || EXCEPTION.ILLEGAL_FUNCTION, out, pos);
      }
    }
  }
}
