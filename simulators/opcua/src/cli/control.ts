/**
 * The control channel: one command per line (stdin in the CLI), one line of answer each.
 * `restart 2000 reorder=on`, `bad Tank1.Level BadSensorFailure`, `freeze Pump1.Speed`, `slow 300`, ...
 */
import { usageError } from '@sensegate/sdk/simulate';
import type { OpcuaSimulator } from '../simulator.js';

export const controlHelp =
  'commands: restart [DOWN_MS] [reorder=on|off] | bad ID STATUS | good ID | freeze ID | unfreeze ID | slow MS | drop [ID] | ' +
  'set ID VALUE | get ID | nodes | status | quit';

/** What the operator has turned on, for `status`. */
export class ControlState {
  slowMs = 0;
  readonly bad = new Map<string, string>();
  readonly frozen = new Set<string>();

  describe(): string {
    const parts = [
      ...(this.slowMs > 0 ? [`slow ${this.slowMs} ms`] : []),
      ...[...this.bad].map(([id, status]) => `${id} ${status}`),
      ...[...this.frozen].map((id) => `${id} frozen`),
    ];
    return parts.length ? parts.join(', ') : 'none';
  }
}

function milliseconds(text: string | undefined, what: string): number {
  if (text === undefined || !/^\d+$/.test(text)) usageError(`${what} needs a whole number of ms, got ${text ?? 'nothing'}`);
  return Number(text);
}

/** Reads VALUE in the form of the variable's current value (a number, true/false, a bigint, JSON for arrays and objects, else text). */
function parseValue(current: unknown, text: string): unknown {
  if (typeof current === 'boolean') {
    if (text !== 'true' && text !== 'false') usageError(`expected true or false, got ${text}`);
    return text === 'true';
  }
  if (typeof current === 'number') {
    const n = Number(text);
    if (text.trim() === '' || Number.isNaN(n)) usageError(`expected a number, got ${text}`);
    return n;
  }
  if (typeof current === 'bigint') {
    if (!/^-?\d+$/.test(text)) usageError(`expected a whole number, got ${text}`);
    return BigInt(text);
  }
  if (current instanceof Date) return new Date(text);
  if (Buffer.isBuffer(current)) {
    if (!/^([0-9a-f]{2})*$/i.test(text)) usageError(`expected hex bytes such as deadbeef, got ${text}`);
    return Buffer.from(text, 'hex');
  }
  if (Array.isArray(current) || (current !== null && typeof current === 'object')) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      if (Array.isArray(current)) usageError(`expected a JSON array such as [1, 2, 3], got ${text}`);
      return text;
    }
  }
  return text;
}

export function formatValue(value: unknown): string {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value)) return value.toString('hex');
  if (typeof value === 'string') return value;
  return JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

export function statusLine(sim: OpcuaSimulator, state: ControlState): string {
  const s = sim.stats();
  const where = sim.running ? `listening on ${sim.endpoint} (plant ns=${sim.namespaceIndex})` : `down (port ${sim.port})`;
  return (
    `${where}; sessions ${s.sessions}, subscriptions ${s.subscriptions}, monitored items ${s.monitoredItems}; ` +
    `reads ${s.reads}, writes ${s.writes}; faults: ${state.describe()}`
  );
}

/** Applies one command and returns the line to print. Throws SG_USAGE for a command it cannot apply. */
export async function applyCommand(sim: OpcuaSimulator, state: ControlState, line: string, nodes: () => string): Promise<string> {
  const trimmed = line.trim();
  const [verbWord = '', ...args] = trimmed.split(/\s+/);
  const verb = verbWord.toLowerCase();
  const id = args[0];
  const needId = () => id ?? usageError(`${verb} needs a variable id, e.g. ${verb} Pump1.Speed`);

  switch (verb) {
    case 'restart': {
      let downMs = 0;
      let reorder: boolean | undefined;
      for (const a of args) {
        const m = /^reorder=(on|off)$/i.exec(a);
        if (m) reorder = m[1]!.toLowerCase() === 'on';
        else downMs = milliseconds(a, 'restart');
      }
      await sim.restart({ downMs, ...(reorder !== undefined ? { reorderNamespaces: reorder } : {}) });
      return `restarted on port ${sim.port} after ${downMs} ms down; plant namespace index ${sim.namespaceIndex}`;
    }
    case 'bad': {
      const target = needId();
      const status = args[1] ?? usageError('bad needs a status code name, e.g. bad Tank1.Level BadSensorFailure');
      sim.badStatus(target, status);
      state.bad.set(target, status);
      return `${target} served with ${status}`;
    }
    case 'good': {
      const target = needId();
      sim.badStatus(target, undefined);
      state.bad.delete(target);
      return `${target} served with Good`;
    }
    case 'freeze':
    case 'unfreeze': {
      const target = needId();
      const frozen = verb === 'freeze';
      sim.freeze(target, frozen);
      if (frozen) state.frozen.add(target);
      else state.frozen.delete(target);
      return frozen ? `${target} frozen at ${formatValue(sim.value(target))}` : `${target} moves again`;
    }
    case 'slow': {
      const ms = milliseconds(args[0], 'slow');
      sim.slow(ms);
      state.slowMs = ms;
      return ms > 0 ? `every response ${ms} ms late` : 'responses on time';
    }
    case 'drop': {
      const target = args[0];
      const dropped = sim.dropMonitoredItems(target);
      return `dropped ${dropped} monitored item${dropped === 1 ? '' : 's'}${target ? ` on ${target}` : ''} without telling the clients`;
    }
    case 'set': {
      const target = needId();
      const text = trimmed.slice(trimmed.indexOf(target) + target.length).trim();
      if (text === '') usageError('set needs a value, e.g. set Pump1.SpeedSetpoint 40');
      sim.set(target, parseValue(sim.value(target), text));
      return `${target} = ${formatValue(sim.value(target))}`;
    }
    case 'get': {
      const target = needId();
      return `${target} = ${formatValue(sim.value(target))}`;
    }
    case 'nodes':
      return nodes();
    case 'status':
      return statusLine(sim, state);
    case 'help':
      return controlHelp;
    default:
      return usageError(`unknown command "${verb}"; ${controlHelp}`);
  }
}
