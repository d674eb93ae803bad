/** `sensegate plan --config FILE [--device ID]`: how each device will be read, request by request. */
import { SensegateError } from '@sensegate/sdk';
import { loadConfigFile } from '../config/load.js';
import { parseOptions, required } from './args.js';
import { prepareDevices } from './prepare.js';

export const planHelp = `Usage: sensegate plan --config FILE [--device ID]

Prints the read plan of each device (or one): its poll groups, and for each group the requests the
driver will send and which points each request carries. Nothing is connected.`;

export async function runPlan(argv: string[], out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const { values } = parseOptions('plan', argv, { config: { type: 'string', short: 'c' }, device: { type: 'string', short: 'd' } });
  if (values.help) {
    out.write(planHelp + '\n');
    return 0;
  }
  const { config, drivers, source } = await loadConfigFile(required('plan', 'config', values.config));
  const prepared = await prepareDevices(config, drivers, source);
  try {
    const runners = prepared.runners.filter((r) => values.device === undefined || r.id === values.device);
    if (runners.length === 0) {
      throw new SensegateError('SG_USAGE', `sensegate plan: no device "${values.device}" in ${config.file}`);
    }
    for (const runner of runners) {
      const groups = runner.describePlan();
      const points = groups.reduce((n, g) => n + g.points.length, 0);
      const requests = groups.reduce((n, g) => n + g.requests.length, 0);
      out.write(`device ${runner.id} (${runner.config.driver}): ${points} point(s) in ${requests} request(s) per cycle\n`);
      for (const group of groups) {
        out.write(`  every ${group.interval} ms: ${group.points.length} point(s)\n`);
        for (const line of group.requests) out.write(`    ${line}\n`);
        if (group.requests.length === 0) out.write(`    (the ${runner.config.driver} driver does not describe its requests)\n`);
      }
    }
    return 0;
  } finally {
    await prepared.dispose();
  }
}
