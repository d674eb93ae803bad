/**
 * `sensegate sim opcua` / `sensegate-sim-opcua`: starts the water plant, prints its endpoint,
 * namespace and nodes, reads fault commands from stdin, and closes on SIGINT/SIGTERM or `quit`.
 */
import { format } from 'node:util';
import { PLANT_NAMESPACE, resolveOptions } from '../options.js';
import { plantCatalog } from '../plant/catalog.js';
import { parseSimulatorArgs, usage } from './args.js';
import { ControlState, applyCommand } from './control.js';
import { serveCommands, type CommandStreams } from '@sensegate/sdk/simulate';

/** Where the CLI reads commands and writes answers, and whether it closes on SIGINT/SIGTERM. */
export type CliStreams = CommandStreams;

/** The node list in one line: `Pump1..3.{Running,Speed,...}`, with writable ones starred. */
function nodeSummary(pumps: number, benchVariables: number, namespaceIndex: number): string {
  const { variables } = plantCatalog(pumps, benchVariables);
  const groups = new Map<string, string[]>();
  for (const v of variables) {
    if (v.role === 'bench') continue;
    const dot = v.id.lastIndexOf('.');
    let group = dot < 0 ? '' : v.id.slice(0, dot);
    group = group.replace(/^Pump\d+$/, `Pump1..${pumps}`).replace(/^Valve\d$/, 'Valve1..2').replace(/^Tank\d$/, 'Tank1..2');
    const name = (dot < 0 ? v.id : v.id.slice(dot + 1)) + (v.writable && v.role !== 'type' ? '*' : '');
    const names = groups.get(group) ?? [];
    if (!names.includes(name)) names.push(name);
    groups.set(group, names);
  }
  const parts = [...groups].map(([group, names]) => {
    if (group === '') return names.join(', ');
    if (group === 'Types') return `Types.{${names.length} built-in types, writable}`;
    return names.length === 1 ? `${group}.${names[0]}` : `${group}.{${names.join(',')}}`;
  });
  if (benchVariables > 0) parts.push(`Bench.V00000..V${String(benchVariables - 1).padStart(5, '0')}`);
  return `nodes (ns=${namespaceIndex};s=ID, * writable): ${parts.join(', ')}`;
}

/**
 * node-opcua logs with console.log, which would mix with the answers on stdout: its warnings and
 * errors go to stderr instead. W27 (RSA PKCS#1 v1.5 disabled by Node) is dropped: the simulator
 * never offers the policies that need it.
 */
async function logNodeOpcuaToStderr(): Promise<void> {
  const { setErrorLogger, setWarningLogger } = await import('node-opcua');
  const toStderr = (level: string) => (_context?: unknown, ...args: unknown[]) => {
    const text = format(...args);
    if (/NODE-OPCUA-W27|security-revert=CVE-2023-46809/.test(text)) return;
    process.stderr.write(`node-opcua ${level}: ${text}\n`);
  };
  setWarningLogger(toStderr('warning'));
  setErrorLogger(toStderr('error'));
}

export async function runSimulatorCli(
  argv: string[],
  io: CliStreams = { input: process.stdin, output: process.stdout, signals: true },
): Promise<void> {
  const args = parseSimulatorArgs(argv);
  const print = (line: string) => io.output.write(line + '\n');
  if (args.help) {
    print(usage);
    return;
  }
  const settings = resolveOptions(args.options);
  // node-opcua takes a second to load: not for --help or a wrong option.
  await logNodeOpcuaToStderr();
  const { startOpcuaSimulator } = await import('../simulator.js');
  const sim = await startOpcuaSimulator(args.options);
  const state = new ControlState();
  const nodes = () => nodeSummary(settings.pumps, settings.benchVariables, sim.namespaceIndex);
  const policies = settings.securityPolicies.filter((p) => p !== 'None');
  const secure = settings.securityModes.some((m) => m !== 'None');
  const security = `${settings.securityModes.join(', ')}${secure ? ` (${policies.join(', ')})` : ''}`;
  const logins = [...(settings.allowAnonymous ? ['anonymous'] : []), ...settings.users.map((u) => `user ${u.userName}`)];

  await serveCommands(io, {
    banner: [
      `opcua water plant listening on ${sim.endpoint}: namespace ${PLANT_NAMESPACE} (ns=${sim.namespaceIndex}); ` +
        `${settings.pumps} pumps, tick ${settings.tick} ms; commands on stdin (help)`,
      `security: ${security}; logins: ${logins.join(', ')}; client certificates ${settings.trustAllClients ? 'trusted automatically' : 'must be trusted'} (${sim.pkiDir})`,
      `server certificate: ${sim.certificateFile}`,
      nodes(),
    ],
    apply: (line) => applyCommand(sim, state, line, nodes),
    close: () => sim.close(),
  });
}
