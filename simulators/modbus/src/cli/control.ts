/**
 * The control channel: one command per line (from stdin in the CLI), one line of answer each.
 * `latency 200 unit=2`, `exception 2 unit=1 table=holding address=10`, `silence unit=3`, `drop`, ...
 */
import { usageError } from '@sensegate/sdk/simulate';
import { TABLES, type Table } from '../profile/schema.js';
import type { ModbusSimulator } from '../simulator.js';

export const controlHelp =
  'commands: latency MS [unit=N] | exception CODE [unit=N] [table=holding|input|coil|discrete] [address=A] | silence unit=N | answer unit=N | ' +
  'drop | stop | start | set POINT VALUE [unit=N] | release POINT [unit=N] | get POINT [unit=N] | clear | status | quit';

interface Command {
  verb: string;
  args: string[];
  named: Map<string, string>;
}

function parseLine(line: string): Command {
  const words = line.trim().split(/\s+/);
  const args: string[] = [];
  const named = new Map<string, string>();
  for (const w of words.slice(1)) {
    const eq = w.indexOf('=');
    if (eq > 0) named.set(w.slice(0, eq).toLowerCase(), w.slice(eq + 1));
    else args.push(w);
  }
  return { verb: (words[0] ?? '').toLowerCase(), args, named };
}

function int(text: string | undefined, what: string, min: number, max: number): number {
  const n = Number(text);
  if (text === undefined || !/^\d+$/.test(text) || n < min || n > max) usageError(`${what} must be a whole number from ${min} to ${max}, got ${text ?? 'nothing'}`);
  return n;
}

/** `unit=N`, else a bare number argument at `index` when allowed. */
function unitOf(cmd: Command, sim: ModbusSimulator, required: boolean, bareIndex?: number): number | undefined {
  const text = cmd.named.get('unit') ?? (bareIndex !== undefined ? cmd.args[bareIndex] : undefined);
  if (text === undefined) {
    if (!required) return undefined;
    if (sim.unitIds.length === 1) return sim.unitIds[0];
    usageError(`${cmd.verb} needs unit=N (units: ${sim.unitIds.join(', ')})`);
  }
  const unit = int(text, 'unit', 0, 255);
  if (!sim.unitIds.includes(unit)) usageError(`no unit ${unit} (units: ${sim.unitIds.join(', ')})`);
  return unit;
}

const onUnit = (unit: number | undefined) => (unit === undefined ? 'every unit' : `unit ${unit}`);

/** Applies one command and returns the line to print. Throws SG_USAGE for a command it cannot apply. */
export async function applyCommand(sim: ModbusSimulator, line: string): Promise<string> {
  const cmd = parseLine(line);
  for (const key of cmd.named.keys()) {
    if (!['unit', 'table', 'address'].includes(key)) usageError(`unknown option ${key}= (options: unit=, table=, address=)`);
  }
  switch (cmd.verb) {
    case 'latency': {
      const ms = int(cmd.args[0], 'latency', 0, 600_000);
      const unit = unitOf(cmd, sim, false);
      sim.faults.latency(ms, unit);
      return ms === 0 ? `latency removed on ${onUnit(unit)}` : `latency ${ms} ms on ${onUnit(unit)}`;
    }
    case 'exception': {
      const code = int(cmd.args[0], 'exception code', 0, 255);
      const unit = unitOf(cmd, sim, false);
      const table = cmd.named.get('table');
      if (table !== undefined && !TABLES.includes(table as Table)) usageError(`table must be one of ${TABLES.join(', ')}, got ${table}`);
      const addressText = cmd.named.get('address');
      const address = addressText === undefined ? undefined : int(addressText, 'address', 0, 65535);
      sim.faults.exception(code, {
        ...(unit !== undefined ? { unitId: unit } : {}),
        ...(table !== undefined ? { table: table as Table } : {}),
        ...(address !== undefined ? { address } : {}),
      });
      const target = `${onUnit(unit)}${table ? ` ${table}` : ''}${address !== undefined ? ` address ${address}` : ''}`;
      return code === 0 ? `exception removed on ${target}` : `exception ${code} on ${target}`;
    }
    case 'silence':
    case 'answer': {
      const unit = unitOf(cmd, sim, true, 0)!;
      sim.faults.silence(unit, cmd.verb === 'silence');
      return cmd.verb === 'silence' ? `unit ${unit} is silent` : `unit ${unit} answers again`;
    }
    case 'drop': {
      const clients = sim.stats().clients;
      sim.faults.dropConnections();
      return `dropped ${clients} client connection${clients === 1 ? '' : 's'}`;
    }
    case 'clear':
      sim.faults.clear();
      return 'faults cleared';
    case 'stop':
      await sim.stop();
      return `stopped: not listening on ${where(sim)}, clients closed`;
    case 'start':
      await sim.start();
      return `listening again on ${where(sim)}`;
    case 'set': {
      const [point, value] = cmd.args;
      if (!point || value === undefined) usageError('set needs a point and a value: set POINT VALUE [unit=N]');
      const unit = unitOf(cmd, sim, true)!;
      sim.set(unit, point, valueOf(value));
      return `unit ${unit} ${point} = ${JSON.stringify(sim.value(unit, point))} (pinned)`;
    }
    case 'release': {
      const point = cmd.args[0] ?? usageError('release needs a point: release POINT [unit=N]');
      const unit = unitOf(cmd, sim, true)!;
      sim.release(unit, point);
      return `unit ${unit} ${point} follows its generator again`;
    }
    case 'get': {
      const point = cmd.args[0] ?? usageError('get needs a point: get POINT [unit=N]');
      const unit = unitOf(cmd, sim, true)!;
      return `unit ${unit} ${point} = ${JSON.stringify(sim.value(unit, point))}`;
    }
    case 'status':
      return statusLine(sim);
    case 'help':
      return controlHelp;
    default:
      return usageError(`unknown command "${cmd.verb}"; ${controlHelp}`);
  }
}

function valueOf(text: string): string | number | boolean {
  if (/^true$/i.test(text)) return true;
  if (/^false$/i.test(text)) return false;
  const n = Number(text);
  return text.trim() !== '' && Number.isFinite(n) ? n : text;
}

export function where(sim: ModbusSimulator): string {
  return sim.serialPath ? `serial ${sim.serialPath}` : `${sim.framing} ${sim.host}:${sim.port}`;
}

export function statusLine(sim: ModbusSimulator): string {
  const s = sim.stats();
  const fcs = Object.entries(s.byFunction)
    .map(([fc, n]) => `fc${fc} ${n}`)
    .join(', ');
  return (
    `${sim.listening ? 'listening' : 'stopped'} ${where(sim)}; units ${sim.unitIds.join(',')}; clients ${s.clients}; ` +
    `requests ${s.requests}${fcs ? ` (${fcs})` : ''}; exceptions ${s.exceptions}; unanswered ${s.unanswered}; bad frames ${s.badFrames}; ` +
    `bytes in ${s.bytesIn} out ${s.bytesOut}; faults: ${sim.faults.describe()}`
  );
}
