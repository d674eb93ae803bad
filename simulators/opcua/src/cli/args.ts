/** Command-line options of the OPC UA water-plant simulator. */
import { parseSimulatorOptions, usageError, wholeNumberOption } from '@sensegate/sdk/simulate';
import { MAX_BENCH_VARIABLES, MAX_PUMPS, type OpcuaSimulatorOptions, type SecurityModeName } from '../options.js';

export const usage = `Usage: sensegate sim opcua [options]      (or: sensegate-sim-opcua [options])

Serves a small water plant over OPC UA (node-opcua): intake pumps, two tanks, flows, outlet
valves, chlorine and turbidity that move on their own, writable setpoints, one variable per
built-in type, security modes and user accounts, and faults typed on stdin.

  --port N                 TCP port (default 4840; 0 picks a free one, printed on start)
  --hostname H             host put in the endpoint URL (default 127.0.0.1); listens on every interface
  --pki DIR                server PKI folder: own certificate, trusted/ and rejected/ client
                           certificates (default: a temp folder removed on exit)
  --pumps N                intake pumps (default 3, at most ${MAX_PUMPS})
  --tick MS                how often values move (default 500)
  --seed N                 seed of the plant's randomness (same seed, same values)
  --bench-variables N      N extra Double variables Bench.V00000.. changing every tick (default 0)
  --no-anonymous           refuse anonymous sessions
  --user NAME:PASSWORD     a user account; repeatable (default operator:operator)
  --security LEVELS        none, sign, encrypt or all, comma-separated (default all)
  --no-trust-all           refuse unknown client certificates (they land in DIR/rejected/)
  --reorder-namespaces     register a decoy namespace first: the plant gets index 2 instead of 1

Commands on stdin while it runs (one per line, one line of answer):
  restart [DOWN_MS] [reorder=on|off]     shut down, stay down DOWN_MS, start on the same port
  bad ID STATUS | good ID                serve ID with a status (e.g. BadSensorFailure) / Good again
  freeze ID | unfreeze ID                ID stops / starts changing
  slow MS                                every response MS late (0 ends it)
  drop [ID]                              delete the monitored items (on ID) without telling clients
  set ID VALUE | get ID                  set a value from the process side / print it
  nodes | status | help | quit`;

const SECURITY_LEVELS: Record<string, SecurityModeName[]> = {
  none: ['None'],
  sign: ['Sign'],
  encrypt: ['SignAndEncrypt'],
  all: ['None', 'Sign', 'SignAndEncrypt'],
};

export interface SimulatorArgs {
  help: boolean;
  options: OpcuaSimulatorOptions;
}

export function parseSimulatorArgs(argv: string[]): SimulatorArgs {
  const { values } = parseSimulatorOptions(
    argv,
    {
      help: { type: 'boolean', short: 'h' },
      port: { type: 'string' },
      hostname: { type: 'string' },
      pki: { type: 'string' },
      pumps: { type: 'string' },
      tick: { type: 'string' },
      seed: { type: 'string' },
      'bench-variables': { type: 'string' },
      'no-anonymous': { type: 'boolean' },
      user: { type: 'string', multiple: true },
      security: { type: 'string', multiple: true },
      'no-trust-all': { type: 'boolean' },
      'reorder-namespaces': { type: 'boolean' },
    },
    usage,
  );

  const users = (values.user ?? []).map((text) => {
    const colon = text.indexOf(':');
    if (colon <= 0) usageError(`--user needs NAME:PASSWORD, got "${text}"`);
    return { userName: text.slice(0, colon), password: text.slice(colon + 1) };
  });
  let securityModes: SecurityModeName[] | undefined;
  if (values.security) {
    const levels = values.security.flatMap((s) => s.split(',')).map((s) => s.trim().toLowerCase());
    for (const level of levels) if (!SECURITY_LEVELS[level]) usageError(`--security takes none, sign, encrypt or all, got "${level}"`);
    securityModes = [...new Set(levels.flatMap((l) => SECURITY_LEVELS[l]!))];
  }
  if (values.hostname !== undefined && !/^[A-Za-z0-9.\-:[\]]+$/.test(values.hostname)) usageError(`--hostname needs a host name or IP address, got "${values.hostname}"`);
  if (values.pki === '') usageError('--pki needs a folder');

  const options: OpcuaSimulatorOptions = { port: wholeNumberOption('port', values.port, 0, 65535) ?? 4840 };
  const set = <K extends keyof OpcuaSimulatorOptions>(key: K, value: OpcuaSimulatorOptions[K] | undefined) => {
    if (value !== undefined) options[key] = value;
  };
  set('hostname', values.hostname);
  set('pkiDir', values.pki);
  set('pumps', wholeNumberOption('pumps', values.pumps, 1, MAX_PUMPS));
  set('tick', wholeNumberOption('tick', values.tick, 10, 3_600_000));
  set('seed', wholeNumberOption('seed', values.seed, 0, 2 ** 32 - 1));
  set('benchVariables', wholeNumberOption('bench-variables', values['bench-variables'], 0, MAX_BENCH_VARIABLES));
  if (values['no-anonymous']) options.allowAnonymous = false;
  if (users.length > 0) options.users = users;
  set('securityModes', securityModes);
  if (values['no-trust-all']) options.trustAllClients = false;
  if (values['reorder-namespaces']) options.reorderNamespaces = true;
  return { help: values.help ?? false, options };
}
