/**
 * Builds a sink from its configuration block. One place knows every sink type, so the runtime and
 * `sensegate validate` construct sinks the same way.
 */
import type { Logger } from '@sensegate/sdk';
import type { DeviceConfig } from '../config/load.js';
import type { SinkConfig } from '../config/schema.js';
import type { Metrics } from '../metrics.js';
import { createHj212Sink } from './hj212/sink.js';
import { createMqttSink } from './mqtt/sink.js';
import type { Sink } from './sink.js';

export interface SinkContext {
  gatewayId: string;
  version: string;
  log: Logger;
  metrics: Metrics;
  /** Folder of the configuration file: relative certificate and secret paths start here. */
  baseDir: string;
  env: NodeJS.ProcessEnv;
  /** The gateway's devices, for sinks that speak a device protocol upstream (the HJ 212 relay). */
  devices: readonly DeviceConfig[];
}

export function createSink(config: SinkConfig, context: SinkContext): Sink {
  switch (config.type) {
    case 'mqtt':
      return createMqttSink(config, context);
    case 'hj212':
      return createHj212Sink(config, context);
    default:
      throw new Error(`unknown sink type ${(config as { type: string }).type}`);
  }
}
