/**
 * Faults switched on by a test or an operator: added latency, exception answers, silent units.
 * `active` is false when nothing is set, so the request path checks one boolean in the normal case.
 */
import { SensegateError } from '@sensegate/sdk';
import type { Table } from '../profile/schema.js';

export interface ExceptionTarget {
  /** Only requests to this unit (default: every unit). */
  unitId?: number;
  /** Only requests to this table (default: every table, and function codes without a table). */
  table?: Table;
  /** Only requests whose address range covers this address (default: any address). */
  address?: number;
}

interface ExceptionFault extends ExceptionTarget {
  code: number;
}

export class FaultState {
  active = false;
  hasExceptions = false;
  private latencyAll = 0;
  private readonly latencyByUnit = new Map<number, number>();
  private exceptions: ExceptionFault[] = [];
  private readonly silenced = new Set<number>();

  latency(ms: number, unitId?: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new SensegateError('SG_USAGE', `latency must be 0 or more milliseconds, got ${ms}`);
    if (unitId === undefined) this.latencyAll = ms;
    else if (ms === 0) this.latencyByUnit.delete(unitId);
    else this.latencyByUnit.set(unitId, ms);
    this.refresh();
  }

  /** Adds an exception fault; one with the same target replaces it, and code 0 removes it. */
  exception(code: number, target: ExceptionTarget = {}): void {
    if (!Number.isInteger(code) || code < 0 || code > 255) {
      throw new SensegateError('SG_USAGE', `exception code must be 1..255 (0 removes the fault), got ${code}`);
    }
    const same = (f: ExceptionFault) => f.unitId === target.unitId && f.table === target.table && f.address === target.address;
    this.exceptions = this.exceptions.filter((f) => !same(f));
    if (code > 0) this.exceptions.push({ code, ...target });
    this.refresh();
  }

  silence(unitId: number, silent = true): void {
    if (silent) this.silenced.add(unitId);
    else this.silenced.delete(unitId);
    this.refresh();
  }

  clear(): void {
    this.latencyAll = 0;
    this.latencyByUnit.clear();
    this.exceptions = [];
    this.silenced.clear();
    this.refresh();
  }

  isSilent(unitId: number): boolean {
    return this.silenced.has(unitId);
  }

  latencyFor(unitId: number): number {
    return this.latencyByUnit.get(unitId) ?? this.latencyAll;
  }

  /** The exception code a request must answer with, or 0. `table` is undefined for FCs without one. */
  exceptionFor(unitId: number, table: Table | undefined, address: number, count: number): number {
    for (const f of this.exceptions) {
      if (f.unitId !== undefined && f.unitId !== unitId) continue;
      if (f.table !== undefined && f.table !== table) continue;
      if (f.address !== undefined && (table === undefined || f.address < address || f.address >= address + count)) continue;
      return f.code;
    }
    return 0;
  }

  describe(): string {
    const parts: string[] = [];
    if (this.latencyAll) parts.push(`latency ${this.latencyAll}ms`);
    for (const [u, ms] of this.latencyByUnit) parts.push(`latency ${ms}ms unit=${u}`);
    for (const f of this.exceptions) {
      parts.push(
        `exception ${f.code}${f.unitId !== undefined ? ` unit=${f.unitId}` : ''}${f.table ? ` table=${f.table}` : ''}${f.address !== undefined ? ` address=${f.address}` : ''}`,
      );
    }
    for (const u of this.silenced) parts.push(`silence unit=${u}`);
    return parts.length ? parts.join(', ') : 'none';
  }

  private refresh(): void {
    this.hasExceptions = this.exceptions.length > 0;
    this.active = this.hasExceptions || this.latencyAll > 0 || this.latencyByUnit.size > 0 || this.silenced.size > 0;
  }
}
