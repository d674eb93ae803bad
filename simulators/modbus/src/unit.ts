/**
 * One simulated Modbus unit (slave): its four tables, its points and the generators that move their
 * values. The tables are the truth: generators write engineering values into them each tick, clients
 * read and write them, and `value()` decodes them back, so a client's write is what the unit reports.
 */
import { SensegateError, describeZodError, formatPath, type Value } from '@sensegate/sdk';
import { BitTable } from './bank/bit-table.js';
import { compilePointAccess, type PointAccess, type UnitTables } from './bank/point-access.js';
import { RegisterTable } from './bank/register-table.js';
import { checkPoints, checkSimulate, pointWidth, type ProfileIssue } from './profile/checks.js';
import {
  generatorSchema,
  modbusPointSchema,
  TABLES,
  type Generator,
  type GeneratorSpec,
  type ModbusPoint,
  type ModbusProfile,
  type ModbusSimPoint,
  type Table,
} from './profile/schema.js';
import { compileGenerator, seedFor, type ValueSource } from '@sensegate/sdk/simulate';

export interface SimulatorUnit {
  /** Modbus unit id (slave address) this unit answers to, 1..255 (0 is the RTU broadcast address). */
  unitId: number;
  /** Points and `simulate:` entries, usually from `loadProfile`. */
  profile?: ModbusProfile;
  /** More points; a point with the id of a profile point replaces it. */
  points?: ModbusSimPoint[];
  /** More generators by point id; they replace the profile's entry for that point. */
  simulate?: Record<string, Generator>;
  /**
   * How many addresses each table serves from 0; a request beyond gets exception 2. Default: up to the
   * end of the table's last point (0 when the table has no point); all 65536 for a unit with no points.
   */
  extent?: Partial<Record<Table, number>>;
}

interface DrivenPoint {
  access: PointAccess;
  source: ValueSource;
  /** Set when a value was pinned with `set` or written by a client: the generator no longer runs. */
  pinned: boolean;
}

export class SimUnit {
  readonly id: number;
  readonly name: string;
  readonly tables: UnitTables;
  readonly points = new Map<string, PointAccess>();
  private readonly driven = new Map<string, DrivenPoint>();
  /** Generated points by table, to find the ones a client write covers. */
  private readonly drivenByTable: Record<Table, DrivenPoint[]> = { holding: [], input: [], coil: [], discrete: [] };
  private moving: DrivenPoint[] = [];

  constructor(spec: SimulatorUnit, where: string, options: { seed: number; tick: number }) {
    this.id = spec.unitId;
    this.name = spec.profile?.name ?? (spec.points?.length ? 'inline points' : 'no points');
    const { points, simulate } = mergeDefinitions(spec, where);

    const extent = (table: Table): number => {
      const given = spec.extent?.[table];
      if (given !== undefined) return given;
      if (points.length === 0) return 65536;
      let end = 0;
      for (const p of points) if (p.table === table) end = Math.max(end, p.address + pointWidth(p));
      return end;
    };
    this.tables = {
      holding: new RegisterTable(extent('holding')),
      input: new RegisterTable(extent('input')),
      coil: new BitTable(extent('coil')),
      discrete: new BitTable(extent('discrete')),
    };
    for (const p of points) {
      const size = this.tables[p.table].size;
      if (p.address + pointWidth(p) > size) {
        throw new SensegateError('SG_CONFIG_INVALID', `${where}: point "${p.id}" lies beyond the ${p.table} extent (${size} addresses)`, { point: p.id });
      }
      this.points.set(p.id, compilePointAccess(p, this.tables));
    }
    for (const [id, gen] of Object.entries(simulate)) {
      const access = this.points.get(id)!;
      const source = compileGenerator(gen, seedFor(options.seed, this.id, id), options.tick);
      const driven: DrivenPoint = { access, source, pinned: false };
      this.driven.set(id, driven);
      this.drivenByTable[access.point.table].push(driven);
      access.write(source.at(0));
    }
    this.refreshMoving();
  }

  pointCount(): number {
    return this.points.size;
  }

  /** Moves every generated value to time `elapsed` (ms since start). */
  update(elapsed: number): void {
    const moving = this.moving;
    for (let i = 0; i < moving.length; i++) {
      const d = moving[i]!;
      d.access.write(d.source.at(elapsed));
    }
  }

  value(pointId: string): Value {
    return this.access(pointId).read();
  }

  /** Pins a value: stored now, and its generator stops. */
  set(pointId: string, value: Value): void {
    const access = this.access(pointId);
    access.check(value);
    this.pin(pointId);
    access.write(value);
  }

  /** Lets a pinned point's generator run again. */
  release(pointId: string): void {
    this.access(pointId);
    const d = this.driven.get(pointId);
    if (d?.pinned) {
      d.pinned = false;
      this.refreshMoving();
    }
  }

  /** A client wrote these addresses: the generators there stop, so the written value stays. */
  written(table: Table, address: number, count: number): void {
    const list = this.drivenByTable[table];
    if (list.length === 0) return;
    let changed = false;
    for (const d of list) {
      const p = d.access.point;
      if (!d.pinned && p.address < address + count && address < p.address + pointWidth(p)) {
        d.pinned = true;
        changed = true;
      }
    }
    if (changed) this.refreshMoving();
  }

  private pin(pointId: string): void {
    const d = this.driven.get(pointId);
    if (d && !d.pinned) {
      d.pinned = true;
      this.refreshMoving();
    }
  }

  private refreshMoving(): void {
    this.moving = [...this.driven.values()].filter((d) => !d.pinned && !d.source.constant);
  }

  private access(pointId: string): PointAccess {
    const access = this.points.get(pointId);
    if (!access) {
      const known = [...this.points.keys()];
      throw new SensegateError(
        'SG_USAGE',
        `unit ${this.id} has no point "${pointId}" (points: ${known.slice(0, 12).join(', ')}${known.length > 12 ? ', ...' : ''})`,
        { point: pointId },
      );
    }
    return access;
  }
}

/** Profile points and generators, then the unit's own, validated as one definition. */
function mergeDefinitions(spec: SimulatorUnit, where: string): { points: ModbusPoint[]; simulate: Record<string, GeneratorSpec> } {
  const issues: ProfileIssue[] = [];
  const points: ModbusPoint[] = [...(spec.profile?.points ?? [])];
  (spec.points ?? []).forEach((raw, i) => {
    const parsed = modbusPointSchema.safeParse(raw, { reportInput: true });
    if (!parsed.success) return void issues.push(...describeZodError(parsed.error, ['points', i]));
    const existing = points.findIndex((p) => p.id === parsed.data.id);
    if (existing >= 0) points[existing] = parsed.data;
    else points.push(parsed.data);
  });
  const simulate: Record<string, GeneratorSpec> = { ...(spec.profile?.simulate ?? {}) };
  for (const [id, raw] of Object.entries(spec.simulate ?? {})) {
    const parsed = generatorSchema.safeParse(raw, { reportInput: true });
    if (!parsed.success) issues.push(...describeZodError(parsed.error, ['simulate', id]));
    else simulate[id] = parsed.data;
  }
  if (issues.length === 0) issues.push(...checkPoints(points), ...checkSimulate(points, simulate));
  for (const table of Object.keys(spec.extent ?? {})) {
    const size = spec.extent![table as Table]!;
    if (!TABLES.includes(table as Table)) issues.push({ path: ['extent', table], message: `unknown table (tables: ${TABLES.join(', ')})` });
    else if (!Number.isInteger(size) || size < 0 || size > 65536) issues.push({ path: ['extent', table], message: 'must be an integer from 0 to 65536' });
  }
  if (issues.length > 0) {
    throw new SensegateError(
      'SG_CONFIG_INVALID',
      `${issues.length} problem${issues.length === 1 ? '' : 's'} in ${where}${spec.profile?.file ? ` (profile ${spec.profile.file})` : ''}:\n` +
        issues.map((i) => `  ${formatPath(i.path)}: ${i.message}`).join('\n'),
      { source: where },
    );
  }
  return { points, simulate };
}
