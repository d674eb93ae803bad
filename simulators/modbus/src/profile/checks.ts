/**
 * Checks across fields that a schema cannot express: unique point ids, points that overlap in one
 * table, and `simulate:` entries that name a missing point or produce the wrong kind of value.
 */
import { registerCount } from '@sensegate/sdk';
import { isBitTable, type GeneratorSpec, type ModbusPoint } from './schema.js';

export interface ProfileIssue {
  path: Array<string | number>;
  message: string;
}

/** Registers (or bits) a point occupies. */
export function pointWidth(point: ModbusPoint): number {
  return isBitTable(point.table) ? 1 : registerCount(point);
}

export function checkPoints(points: readonly ModbusPoint[], base: Array<string | number> = ['points']): ProfileIssue[] {
  const issues: ProfileIssue[] = [];
  const ids = new Map<string, number>();
  points.forEach((p, i) => {
    const first = ids.get(p.id);
    if (first !== undefined) issues.push({ path: [...base, i, 'id'], message: `duplicate point id "${p.id}" (also ${base.join('.')}[${first}])` });
    else ids.set(p.id, i);
    const end = p.address + pointWidth(p);
    if (end > 65536) issues.push({ path: [...base, i, 'address'], message: `point "${p.id}" ends at ${end - 1}, beyond the last address 65535` });
  });

  // Sort by table and address, then compare neighbours: O(n log n) for 10,000-point profiles.
  const order = points.map((_, i) => i).sort((a, b) => {
    const pa = points[a]!;
    const pb = points[b]!;
    return pa.table === pb.table ? pa.address - pb.address || a - b : pa.table < pb.table ? -1 : 1;
  });
  // The point reaching furthest so far in the current table; bit points may share a register.
  let reach: { index: number; end: number } | undefined;
  for (const i of order) {
    const p = points[i]!;
    const end = p.address + pointWidth(p);
    const prev = reach && points[reach.index]!.table === p.table ? reach : undefined;
    if (prev && p.address < prev.end) {
      const other = points[prev.index]!;
      const sharedBits = other.type === 'bit' && p.type === 'bit' && other.address === p.address && (other.bit ?? 0) !== (p.bit ?? 0);
      if (!sharedBits) {
        const later = Math.max(i, prev.index);
        const earlier = Math.min(i, prev.index);
        issues.push({
          path: [...base, later, 'address'],
          message: `point "${points[later]!.id}" overlaps point "${points[earlier]!.id}" in the ${p.table} table (${span(points[earlier]!)} and ${span(points[later]!)})`,
        });
      }
    }
    if (!prev || end > prev.end) reach = { index: i, end };
  }
  return issues;
}

function span(p: ModbusPoint): string {
  const w = pointWidth(p);
  return w === 1 ? `address ${p.address}${p.type === 'bit' ? ` bit ${p.bit ?? 0}` : ''}` : `addresses ${p.address}..${p.address + w - 1}`;
}

const NUMERIC_KINDS = new Set(['sine', 'ramp', 'randomWalk', 'counter']);

export function checkSimulate(
  points: readonly ModbusPoint[],
  simulate: Readonly<Record<string, GeneratorSpec>>,
  base: Array<string | number> = ['simulate'],
): ProfileIssue[] {
  const issues: ProfileIssue[] = [];
  const byId = new Map(points.map((p) => [p.id, p]));
  for (const [id, gen] of Object.entries(simulate)) {
    const point = byId.get(id);
    if (!point) {
      issues.push({ path: [...base, id], message: `no point "${id}" to simulate (points: ${[...byId.keys()].slice(0, 10).join(', ') || 'none'})` });
      continue;
    }
    if (point.type === 'string' && NUMERIC_KINDS.has(gen.kind)) {
      issues.push({ path: [...base, id, 'kind'], message: `point "${id}" is a string; ${gen.kind} produces numbers (use constant or csv)` });
    }
    if (gen.kind === 'constant' && typeof gen.value === 'string' && point.type !== 'string' && !isNumericText(gen.value) && !/^(true|false)$/i.test(gen.value)) {
      issues.push({ path: [...base, id, 'value'], message: `point "${id}" is ${point.type}; "${gen.value}" is not a value of that type` });
    }
    if (gen.kind === 'randomWalk' && gen.min > gen.max) {
      issues.push({ path: [...base, id, 'min'], message: `min (${gen.min}) is above max (${gen.max})` });
    }
    if ((gen.kind === 'sine' || gen.kind === 'ramp') && gen.period <= 0) {
      issues.push({ path: [...base, id, 'period'], message: 'period must be longer than 0' });
    }
    if ((gen.kind === 'counter' || gen.kind === 'csv') && gen.interval <= 0) {
      issues.push({ path: [...base, id, 'interval'], message: 'interval must be longer than 0' });
    }
  }
  return issues;
}

export const isNumericText = (s: string): boolean => s.trim() !== '' && Number.isFinite(Number(s));
