/**
 * A device's read plan, made once per poll group and reused for every poll: the planned requests
 * with, per carried point, its batch index, offset and compiled decoder in flat arrays, so decoding
 * a response walks arrays and calls prepared functions without allocating.
 */
import { compileDecoder, type ReadPlan, type RegisterDecoder } from '@sensegate/sdk';
import { isBitTable, type Table } from '../config/point.js';
import { planRequests } from './plan-requests.js';
import type { PlanOptions, PlanPoint, PlannedRequest, ReadFunctionCode } from './read-request.js';

export interface CompiledRequest {
  readonly unitId: number;
  readonly table: Table;
  readonly functionCode: ReadFunctionCode;
  readonly address: number;
  readonly count: number;
  /** Whether the response is packed bits (FC1/FC2) rather than registers. */
  readonly bits: boolean;
  /** Bytes the response's data must hold. */
  readonly responseBytes: number;
  /** Batch indices of the carried points. */
  readonly indices: Uint32Array;
  /** Byte offset (registers) or bit index (bits) of each carried point. */
  readonly offsets: Uint32Array;
  /** Decoder of each carried point; empty for bit requests. */
  readonly decoders: readonly RegisterDecoder[];
  /** `unit 1 FC3 holding 0..19`, for messages. */
  readonly label: string;
  readonly pointIds: readonly string[];
}

export class ModbusReadPlan implements ReadPlan {
  readonly requests: readonly CompiledRequest[];

  constructor(
    /** The device the plan was made for. */
    readonly deviceId: string,
    /** The point list (the batch's `points`) whose indices the plan uses. */
    readonly points: readonly unknown[],
    planPoints: readonly PlanPoint[],
    options: PlanOptions,
  ) {
    this.requests = planRequests(planPoints, options).map((r) => compileRequest(r, planPoints));
  }

  describe(): string[] {
    return this.requests.map(
      (r) => `${r.label} (${r.count} ${r.bits ? (r.count === 1 ? 'bit' : 'bits') : r.count === 1 ? 'register' : 'registers'}): ${r.pointIds.join(', ')}`,
    );
  }
}

export function requestLabel(unitId: number, functionCode: number, table: Table, address: number, count: number): string {
  return `unit ${unitId} FC${functionCode} ${table} ${address}..${address + count - 1}`;
}

function compileRequest(r: PlannedRequest, points: readonly PlanPoint[]): CompiledRequest {
  const bits = isBitTable(r.table);
  return {
    unitId: r.unitId,
    table: r.table,
    functionCode: r.functionCode,
    address: r.address,
    count: r.count,
    bits,
    responseBytes: bits ? (r.count + 7) >> 3 : r.count * 2,
    indices: Uint32Array.from(r.points),
    offsets: Uint32Array.from(r.offsets),
    decoders: bits ? [] : r.points.map((i) => compileDecoder(points[i]!)),
    label: requestLabel(r.unitId, r.functionCode, r.table, r.address, r.count),
    pointIds: r.points.map((i) => points[i]!.id),
  };
}
