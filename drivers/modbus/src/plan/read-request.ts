/** The shapes the read planner works with: points in, requests out. Plain data, no I/O. */
import type { ByteOrder, DataType } from '@sensegate/sdk';
import type { Table } from '../config/point.js';

export type ReadFunctionCode = 1 | 2 | 3 | 4;

/** What the planner needs to know of a point. */
export interface PlanPoint {
  id: string;
  table: Table;
  address: number;
  type: DataType;
  byteOrder: ByteOrder;
  bit?: number | undefined;
  length?: number | undefined;
}

export interface PlanOptions {
  unitId: number;
  /** Registers a merged request may read that no point needs. */
  maxGap: number;
  /** Bits (coils, discrete inputs) a merged request may read that no point needs. */
  maxBitGap: number;
  /** Largest register count per request (<= 125). */
  maxRegisters: number;
  /** Largest bit count per request (<= 2000). */
  maxBits: number;
  /** No merging: one request per point. */
  onePointPerRequest: boolean;
}

/** One read request and the points it carries. */
export interface PlannedRequest {
  unitId: number;
  table: Table;
  functionCode: ReadFunctionCode;
  address: number;
  /** Registers or bits. */
  count: number;
  /** Indices into the planned points, in address order. */
  points: number[];
  /** Per carried point: its byte offset in the response's register bytes, or its bit index for coils and discrete inputs. */
  offsets: number[];
}

export const READ_FUNCTION: Readonly<Record<Table, ReadFunctionCode>> = { coil: 1, discrete: 2, holding: 3, input: 4 };

/** Tables in function-code order, the order requests are planned and sent in. */
export const TABLE_ORDER: readonly Table[] = ['coil', 'discrete', 'holding', 'input'];
