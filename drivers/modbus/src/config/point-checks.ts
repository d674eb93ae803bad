/**
 * Rules across a point's fields that its schema cannot hold (see point.ts), checked when a device
 * is added and when a plan is made. All problems are reported at once, each naming the point.
 */
import { registerCount, SensegateError, type PointRef } from '@sensegate/sdk';
import type { PlanPoint } from '../plan/read-request.js';
import { isBitTable, pointType, type ModbusPointFields } from './point.js';

export type ModbusPointRef = PointRef<ModbusPointFields>;

function problemsOf(spec: ModbusPointFields & { id: string }): string[] {
  const problems: string[] = [];
  const type = pointType(spec);
  if (isBitTable(spec.table) && type !== 'bool') {
    problems.push(`point "${spec.id}": ${spec.table} points are single bits, so type must be bool (got ${type})`);
  }
  if (type === 'string' && spec.length === undefined) {
    problems.push(`point "${spec.id}": a string point needs \`length\` (registers, two characters each)`);
  }
  if (problems.length === 0) {
    const width = isBitTable(spec.table) ? 1 : registerCount({ type, length: spec.length });
    if (spec.address + width > 65536) {
      problems.push(
        `point "${spec.id}": ${spec.table} address ${spec.address} plus ${width} ${isBitTable(spec.table) ? 'bit' : width === 1 ? 'register' : 'registers'} ends at ${spec.address + width - 1}, beyond the last address 65535`,
      );
    }
  }
  return problems;
}

/** The points as the planner sees them; throws SG_CONFIG_INVALID naming every bad point. */
export function toPlanPoints(deviceId: string, points: readonly ModbusPointRef[]): PlanPoint[] {
  const problems: string[] = [];
  const out = points.map((p) => {
    const spec = p.spec;
    problems.push(...problemsOf({ ...spec, id: p.id }));
    return {
      id: p.id,
      table: spec.table,
      address: spec.address,
      type: pointType(spec),
      byteOrder: spec.byteOrder,
      bit: spec.bit,
      length: spec.length,
    } satisfies PlanPoint;
  });
  if (problems.length > 0) {
    throw new SensegateError('SG_CONFIG_INVALID', `device "${deviceId}": ${problems.join('; ')}`, {
      device: deviceId,
      ...(problems.length === 1 ? { point: points.find((p) => problems[0]!.startsWith(`point "${p.id}"`))?.id } : {}),
    });
  }
  return out;
}
