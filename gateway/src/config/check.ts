/**
 * Checks a configuration without running it: the schema, profiles, drivers and their device checks,
 * secrets and certificates, sinks and the relay's tokens. Nothing is connected and no port is bound.
 * `sensegate validate` prints the answer; `POST /api/v1/config/validate` returns it, with the same
 * file:line:column and field path for each problem.
 */
import { silentLogger, toSensegateError } from '@sensegate/sdk';
import { prepareDevices } from '../cli/prepare.js';
import { Metrics } from '../metrics.js';
import { createSink } from '../sinks/create.js';
import { resolveRelaySecrets } from '../video/relay-secrets.js';
import { VERSION } from '../version.js';
import { ConfigError, type ConfigIssue } from './issues.js';
import { loadConfigFile, loadConfigText, pipelineOf, type LoadedConfig } from './load.js';
import { DriverRegistry, configSearchPath } from '../drivers/registry.js';

export type ConfigCheck =
  | { ok: true; summary: string; gateway: string; devices: number; points: number; sinks: number }
  | {
      ok: false;
      /** Each problem at its file, line, column and field path. */
      problems: ConfigIssue[];
      /** A problem that is not at a place in the file (a driver package that cannot be loaded, a missing secret). */
      error?: { code: string; message: string };
    };

/** Checks the file at `file`. */
export async function checkConfigFile(file: string, env: NodeJS.ProcessEnv = process.env): Promise<ConfigCheck> {
  return check(file, () => loadConfigFile(file), env);
}

/** Checks `text` as if it were the file at `file` (relative paths, profiles and packages are found from there). */
export async function checkConfigText(text: string, file: string, env: NodeJS.ProcessEnv = process.env): Promise<ConfigCheck> {
  return check(file, () => loadConfigText(text, file, new DriverRegistry(configSearchPath(file))), env);
}

async function check(file: string, load: () => Promise<LoadedConfig>, env: NodeJS.ProcessEnv): Promise<ConfigCheck> {
  try {
    const { config, drivers, sinks, source } = await load();
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
        env,
        devices: config.devices,
      });
    }
    // The relay's tokens are resolved and checked (length, the publish token not the players').
    if (config.video.relay?.enabled) resolveRelaySecrets(config.video.relay, { baseDir: config.baseDir, env, source: config.file });
    const points = config.devices.reduce((n, d) => n + d.points.length, 0);
    const derived = config.devices.reduce((n, d) => n + d.derived.reduce((k, x) => k + x.outputs.length, 0), 0);
    const steps = config.devices.reduce((n, d) => n + d.points.reduce((k, p) => k + pipelineOf(d, p).length, 0), 0);
    const edge = derived + steps > 0 ? `, ${derived} derived point(s), ${steps} pipeline step(s) on points` : '';
    return {
      ok: true,
      summary: `gateway ${config.gateway.id}, ${config.devices.length} device(s), ${points} point(s)${edge}, ${config.sinks.length} sink(s)`,
      gateway: config.gateway.id,
      devices: config.devices.length,
      points,
      sinks: config.sinks.length,
    };
  } catch (err) {
    if (err instanceof ConfigError) return { ok: false, problems: err.issues };
    const e = toSensegateError(err);
    return { ok: false, problems: [], error: { code: e.code, message: e.message } };
  }
}
