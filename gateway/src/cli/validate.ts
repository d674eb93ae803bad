/** `sensegate validate --config FILE`: every problem of a file at once, or a one-line summary. */
import { silentLogger, toSensegateError } from '@sensegate/sdk';
import { ConfigError, formatIssue } from '../config/issues.js';
import { loadConfigFile, pipelineOf } from '../config/load.js';
import { Metrics } from '../metrics.js';
import { createSink } from '../sinks/create.js';
import { resolveRelaySecrets } from '../video/relay-secrets.js';
import { VERSION } from '../version.js';
import { parseOptions, required } from './args.js';
import { prepareDevices } from './prepare.js';

export const validateHelp = `Usage: sensegate validate --config FILE

Checks a configuration file without connecting to anything: the schema (unknown fields, types, ranges),
profiles, drivers and their device checks, secrets and certificates. Lists every problem with its
file:line:column and field path and exits 1; exits 0 when the file is good.`;

export async function runValidate(argv: string[], out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const { values } = parseOptions('validate', argv, { config: { type: 'string', short: 'c' } });
  if (values.help) {
    out.write(validateHelp + '\n');
    return 0;
  }
  const file = required('validate', 'config', values.config);
  try {
    const { config, drivers, sinks, source } = await loadConfigFile(file);
    const prepared = await prepareDevices(config, drivers, source);
    await prepared.dispose();
    for (const sink of config.sinks) {
      // Building a sink resolves its secrets and reads its certificates; it does not connect.
      createSink(sinks.get(sink.type)!, sink, {
        gatewayId: config.gateway.id,
        version: VERSION,
        log: silentLogger,
        metrics: new Metrics(),
        baseDir: config.baseDir,
        env: process.env,
        devices: config.devices,
      });
    }
    // The relay's tokens are resolved and checked (length, the publish token not the players').
    if (config.video.relay?.enabled) resolveRelaySecrets(config.video.relay, { baseDir: config.baseDir, env: process.env, source: config.file });
    const points = config.devices.reduce((n, d) => n + d.points.length, 0);
    const derived = config.devices.reduce((n, d) => n + d.derived.reduce((k, x) => k + x.outputs.length, 0), 0);
    const steps = config.devices.reduce((n, d) => n + d.points.reduce((k, p) => k + pipelineOf(d, p).length, 0), 0);
    const edge = derived + steps > 0 ? `, ${derived} derived point(s), ${steps} pipeline step(s) on points` : '';
    out.write(
      `${file}: ok: gateway ${config.gateway.id}, ${config.devices.length} device(s), ${points} point(s)${edge}, ${config.sinks.length} sink(s)\n`,
    );
    return 0;
  } catch (err) {
    if (err instanceof ConfigError) {
      for (const issue of err.issues) out.write(formatIssue(issue) + '\n');
      out.write(`${file}: ${err.issues.length} problem${err.issues.length === 1 ? '' : 's'}\n`);
      return 1;
    }
    const e = toSensegateError(err);
    out.write(`${file}: ${e.code}: ${e.message}\n`);
    return 1;
  }
}
