/**
 * `sensegate <driver> <tool> [args]`: runs a tool a driver declares in `tools` (`sensegate opcua certs`),
 * for a built-in driver by its short name and for any driver by its package name. `sensegate <driver>`
 * alone lists the driver's tools.
 */
import { SensegateError } from '@sensegate/sdk';
import { driverFor, registryFor, withCliIO } from './driver-cli.js';

export async function runDriverTool(argv: string[], out: NodeJS.WritableStream = process.stdout, env: NodeJS.ProcessEnv = process.env, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  const [name, toolName, ...rest] = argv;
  if (!name) throw new SensegateError('SG_USAGE', 'sensegate: give a driver and one of its tools: sensegate <driver> <tool> (`sensegate drivers` lists them)');
  const registry = registryFor(argv);
  const found = await driverFor(registry, name, `sensegate ${name}`, 'have tools', (d) => Object.keys(d.tools ?? {}).length > 0);
  const tools = found.driver.tools ?? {};
  const names = Object.keys(tools);
  const listing = names.length
    ? [`Tools of driver ${found.name} (${found.package}):`, ...names.map((t) => `  sensegate ${name} ${t.padEnd(Math.max(...names.map((n) => n.length)))}  ${tools[t]!.summary}`), '', `sensegate ${name} <tool> --help for its options.`].join('\n')
    : '';
  if (toolName === undefined || toolName === '--help' || toolName === '-h') {
    if (!names.length) throw new SensegateError('SG_USAGE', `sensegate ${name}: driver "${found.name}" has no tools; \`sensegate drivers ${found.name}\` shows what it offers`);
    out.write(listing + '\n');
    return toolName === undefined ? 2 : 0;
  }
  const tool = tools[toolName];
  if (!tool) {
    throw new SensegateError(
      'SG_USAGE',
      names.length
        ? `sensegate ${name}: driver "${found.name}" has no tool "${toolName}" (have: ${names.join(', ')}; see \`sensegate ${name} --help\`)`
        : `sensegate ${name}: driver "${found.name}" has no tools; \`sensegate drivers ${found.name}\` shows what it offers`,
    );
  }
  return withCliIO(`sensegate ${name} ${toolName}`, found, { stdout: out, stderr: err, env }, {}, (io) => tool.run(rest, io));
}
