/**
 * The README's node tables, rendered from the catalog: the docs test compares them with the
 * README, so the node list there cannot drift from what the simulator serves.
 */
import { plantCatalog, type VariableSpec } from '../../src/index.js';

const UNIT_TEXT: Record<string, string> = {
  percent: '%',
  ampere: 'A',
  metre: 'm',
  cubicMetrePerHour: 'm3/h',
  milligramPerLitre: 'mg/L',
  ntu: 'NTU',
};

const generic = (text: string) => text.replace(/Pump1/g, 'PumpN').replace(/Pump 1/g, 'Pump N');

function show(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`;
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value)) return `Buffer ${value.toString('hex')}`;
  return JSON.stringify(value).replace(/\|/g, '\\|');
}

/** The plant's variables (pump 1 written as PumpN), one row each. */
export function plantTable(): string {
  const { variables } = plantCatalog(1);
  const rows = variables
    .filter((v) => v.role === 'measurement' || v.role === 'setpoint')
    .map((v: VariableSpec) => {
      const range = v.range ? `${v.range.low} .. ${v.id === 'Intake.Flow' || v.id === 'Outlet.Flow' ? '120 x pumps' : v.range.high}` : '';
      return `| \`${generic(v.id)}\` | ${v.dataType} | ${v.unit ? UNIT_TEXT[v.unit] : ''} | ${range} | ${v.writable ? 'read/write' : 'read'} | ${generic(v.description)} |`;
    });
  return ['| node id | type | unit | EURange | access | what it is |', '|---|---|---|---|---|---|', ...rows].join('\n');
}

/** The Types folder, one row per variable, with its first value. */
export function typesTable(): string {
  const rows = plantCatalog(1)
    .variables.filter((v) => v.role === 'type')
    .map((v) => `| \`${v.id}\` | ${v.dataType}${v.array ? '[]' : ''} | ${show(v.initial)} |`);
  return ['| node id | type | first value (as `sim.value()` returns it) |', '|---|---|---|', ...rows].join('\n');
}
