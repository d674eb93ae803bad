/**
 * The read planner: merges points into the fewest requests. Per table, points sorted by address
 * join the current request while the span stays within the request limit and the hole before the
 * point stays within `maxGap`; otherwise a new request starts. Points that share registers (bits of
 * one register, overlapping definitions) land in the same request whenever it can hold them.
 *
 * Greedy extension is optimal here: a request is valid when its span and every hole inside it are
 * within limits, every part of a valid run of points is valid too, and for such constraints taking
 * each request as far as it goes gives the fewest requests.
 */
import { registerCount, SensegateError } from '@sensegate/sdk';
import { isBitTable } from '../config/point.js';
import { READ_FUNCTION, TABLE_ORDER, type PlanOptions, type PlanPoint, type PlannedRequest } from './read-request.js';

/** Registers (or bits) a point occupies. */
export function pointWidth(point: Pick<PlanPoint, 'table' | 'type' | 'length'>): number {
  return isBitTable(point.table) ? 1 : registerCount(point);
}

export function planRequests(points: readonly PlanPoint[], options: PlanOptions): PlannedRequest[] {
  const requests: PlannedRequest[] = [];
  for (const table of TABLE_ORDER) {
    const bits = isBitTable(table);
    const limit = bits ? options.maxBits : options.maxRegisters;
    const maxGap = bits ? options.maxBitGap : options.maxGap;
    const order: number[] = [];
    for (let i = 0; i < points.length; i++) if (points[i]!.table === table) order.push(i);
    if (order.length === 0) continue;
    // Ties on address: wider first, then configuration order, so plans do not depend on sort stability.
    order.sort((a, b) => {
      const pa = points[a]!;
      const pb = points[b]!;
      return pa.address - pb.address || pointWidth(pb) - pointWidth(pa) || a - b;
    });

    let current: PlannedRequest | undefined;
    let end = 0; // one past the last register (or bit) of the current request
    for (const index of order) {
      const point = points[index]!;
      const width = pointWidth(point);
      if (width > limit) {
        throw new SensegateError(
          'SG_CONFIG_INVALID',
          `point "${point.id}" needs ${width} ${bits ? 'bits' : 'registers'}, more than one request may read (${bits ? 'maxBits' : 'maxRegisters'}: ${limit})`,
          { point: point.id },
        );
      }
      if (point.address + width > 65536) {
        throw new SensegateError(
          'SG_CONFIG_INVALID',
          `point "${point.id}" at ${point.table} address ${point.address} needs ${width} ${bits ? 'bits' : 'registers'} and would end at ${point.address + width - 1}, beyond the last address 65535`,
          { point: point.id },
        );
      }
      const pointEnd = point.address + width;
      const joins =
        current !== undefined &&
        !options.onePointPerRequest &&
        point.address - end <= maxGap &&
        Math.max(end, pointEnd) - current.address <= limit;
      if (!joins) {
        current = {
          unitId: options.unitId,
          table,
          functionCode: READ_FUNCTION[table],
          address: point.address,
          count: 0,
          points: [],
          offsets: [],
        };
        requests.push(current);
        end = point.address;
      }
      const request = current!;
      end = Math.max(end, pointEnd);
      request.count = end - request.address;
      request.points.push(index);
      request.offsets.push(bits ? point.address - request.address : (point.address - request.address) * 2);
    }
  }
  return requests;
}
