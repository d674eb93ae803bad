/** Command-line options of the simulator, with `--profile P --unit N` pairs kept in order. */
import { parseSimulatorOptions, usageError, wholeNumberOption } from '@sensegate/sdk/simulate';
import type { Framing } from '../simulator.js';

export const usage = `Usage: sensegate sim modbus [options]      (or: sensegate-sim-modbus [options])

Serves Modbus registers from device profiles, with moving values and faults on demand.

  --port N                 TCP port (default 5020)
  --host H                 address to listen on (default 127.0.0.1; 0.0.0.0 for every interface)
  --profile PATH           a profile YAML file; repeat with --unit to serve several units:
                             --profile a.yaml --unit 1 --profile b.yaml --unit 2
  --unit ID                unit id of the profile before it (default: 1, then the next free id)
  --framing tcp|rtu-over-tcp   Modbus TCP (default) or RTU frames over TCP
  --serial PATH            serve RTU on this serial device instead of TCP
  --baud N                 serial speed (default 9600)
  --tick MS                how often values move (default 100)
  --seed N                 seed for random walks (same seed, same values)

Faults, typed on stdin while it runs (one line per command, one line of answer):
  latency MS [unit=N]                    delay answers (0 removes)
  exception CODE [unit=N] [table=T] [address=A]   answer with an exception (0 removes)
  silence unit=N | answer unit=N         a unit stops / starts answering
  drop                                   close every client connection now
  stop | start                           stop listening (device gone) / listen again on the same port
  set POINT VALUE [unit=N] | release POINT [unit=N] | get POINT [unit=N]
  clear | status | help | quit`;

export interface ProfileArg {
  path: string;
  unit?: number;
}

export interface SimulatorArgs {
  help: boolean;
  host?: string;
  port?: number;
  framing?: Framing;
  serial?: string;
  baud?: number;
  tick?: number;
  seed?: number;
  profiles: ProfileArg[];
}

export function parseSimulatorArgs(argv: string[]): SimulatorArgs {
  const { values, tokens } = parseSimulatorOptions(
    argv,
    {
      help: { type: 'boolean', short: 'h' },
      host: { type: 'string' },
      port: { type: 'string' },
      framing: { type: 'string' },
      serial: { type: 'string' },
      baud: { type: 'string' },
      tick: { type: 'string' },
      seed: { type: 'string' },
      profile: { type: 'string', multiple: true },
      unit: { type: 'string', multiple: true },
    },
    usage,
    { tokens: true },
  );

  // A --unit names the unit of the --profile just before it (or of the next one, if it comes first).
  const profiles: ProfileArg[] = [];
  let pendingUnit: number | undefined;
  for (const token of tokens ?? []) {
    if (token.kind !== 'option') continue;
    if (token.name === 'profile') {
      profiles.push({ path: token.value!, ...(pendingUnit !== undefined ? { unit: pendingUnit } : {}) });
      pendingUnit = undefined;
    } else if (token.name === 'unit') {
      const unit = wholeNumberOption('unit', token.value, 0, 255)!;
      const last = profiles[profiles.length - 1];
      if (last && last.unit === undefined) last.unit = unit;
      else if (pendingUnit === undefined) pendingUnit = unit;
      else usageError(`--unit ${unit}: two --unit options without a --profile between them`);
    }
  }
  if (pendingUnit !== undefined) {
    if (profiles.length === 0) profiles.push({ path: '', unit: pendingUnit });
    else usageError(`--unit ${pendingUnit} has no --profile to go with`);
  }
  const framing = values.framing;
  if (framing !== undefined && framing !== 'tcp' && framing !== 'rtu-over-tcp') {
    usageError(`--framing must be tcp or rtu-over-tcp, got "${framing}"`);
  }
  const tick = wholeNumberOption('tick', values.tick, 1, 3_600_000);
  return {
    help: values.help ?? false,
    ...(values.host !== undefined ? { host: values.host } : {}),
    ...(values.port !== undefined ? { port: wholeNumberOption('port', values.port, 0, 65535)! } : {}),
    ...(framing !== undefined ? { framing } : {}),
    ...(values.serial !== undefined ? { serial: values.serial } : {}),
    ...(values.baud !== undefined ? { baud: wholeNumberOption('baud', values.baud, 1, 10_000_000)! } : {}),
    ...(tick !== undefined ? { tick } : {}),
    ...(values.seed !== undefined ? { seed: wholeNumberOption('seed', values.seed, 0, 2 ** 32 - 1)! } : {}),
    profiles,
  };
}
