/**
 * Builds a running sink from its definition and validated block. One place does it, so the runtime
 * and `sensegate validate` construct sinks the same way, and every sink, built in or not, gets the
 * same context.
 */
import { isSensegateError, resolveSecret, SensegateError, type Logger, type Sink, type SinkContext, type SinkInstance } from '@sensegate/sdk';
import type { DeviceConfig } from '../config/load.js';
import type { Metrics } from '../metrics.js';
import { sinkMetrics } from '../runtime/driver-metrics.js';
import type { SinkConfig } from './sink-schema.js';

/** What the gateway offers every sink. */
export interface SinkHost {
  gatewayId: string;
  version: string;
  /** A logger bound to the sink. */
  log: Logger;
  metrics: Metrics;
  /** Folder of the configuration file: relative certificate and secret paths start here. */
  baseDir: string;
  env: NodeJS.ProcessEnv;
  devices: readonly DeviceConfig[];
}

/** The fields of a sink block that are the gateway's, not the sink's. */
const COMMON = new Set(['type', 'name', 'batch', 'inFlight', 'replay']);

export function sinkContext(name: string, host: SinkHost): SinkContext {
  const source = `sink ${name}`;
  return {
    name,
    gatewayId: host.gatewayId,
    version: host.version,
    log: host.log,
    metrics: sinkMetrics(host.metrics, name),
    baseDir: host.baseDir,
    env: host.env,
    devices: host.devices,
    secret: (field, ref) => resolveSecret(ref, { baseDir: host.baseDir, env: host.env, path: `sinks.${name}.${field}`, source }).reveal(),
  };
}

/** Creates the sink; its own problems (a missing secret or certificate) throw, naming the sink. */
export function createSink(sink: Sink, config: SinkConfig, host: SinkHost): SinkInstance {
  const own = Object.fromEntries(Object.entries(config).filter(([key]) => !COMMON.has(key)));
  try {
    return sink.create(own, sinkContext(config.name, host));
  } catch (err) {
    if (isSensegateError(err)) throw err;
    throw new SensegateError('SG_CONFIG_INVALID', `sink ${config.name} (${config.type}): ${(err as Error).message}`, { source: `sink ${config.name}`, cause: err });
  }
}
