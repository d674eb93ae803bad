import { resolveSecret, type DeviceEvent, type DeviceInfo, type DeviceState, type DriverContext, type MediaSource, type PublishOptions, type SensegateError, type Value } from '../index.js';
import type { LogFn, Logger } from '../logger.js';

export interface RecordedLog {
  level: 'trace' | 'debug' | 'info' | 'warn' | 'error';
  message: string;
  fields: Record<string, unknown>;
}

/** A DriverContext that records everything a driver reports, for assertions. */
export interface TestContext extends DriverContext {
  readonly published: Array<{ device: string; point: string; value: Value; options: PublishOptions }>;
  readonly events: DeviceEvent[];
  readonly healthChanges: Array<{ device: string; state: DeviceState; reason?: SensegateError | string }>;
  /** The latest `describe()` of each device. */
  readonly infos: Map<string, DeviceInfo>;
  /** The latest `media()` of each device. */
  readonly mediaSources: Map<string, readonly MediaSource[]>;
  readonly logs: RecordedLog[];
}

function recordingLogger(logs: RecordedLog[], bindings: Record<string, unknown> = {}): Logger {
  const at =
    (level: RecordedLog['level']): LogFn =>
    (a: string | Record<string, unknown>, b?: string) => {
      if (typeof a === 'string') logs.push({ level, message: a, fields: { ...bindings } });
      else logs.push({ level, message: b ?? '', fields: { ...bindings, ...a } });
    };
  return {
    trace: at('trace'),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (more) => recordingLogger(logs, { ...bindings, ...more }),
  };
}

export function createTestContext(options: { driver?: string; gatewayId?: string; dataDir?: string } = {}): TestContext {
  const published: TestContext['published'] = [];
  const events: DeviceEvent[] = [];
  const healthChanges: TestContext['healthChanges'] = [];
  const logs: RecordedLog[] = [];
  const infos = new Map<string, DeviceInfo>();
  const mediaSources = new Map<string, readonly MediaSource[]>();
  return {
    driver: options.driver ?? 'test',
    gatewayId: options.gatewayId ?? 'test-gateway',
    dataDir: options.dataDir ?? process.cwd(),
    configDir: process.cwd(),
    log: recordingLogger(logs),
    published,
    events,
    healthChanges,
    infos,
    mediaSources,
    logs,
    publish(device, point, value, opts = {}) {
      published.push({ device, point, value, options: opts });
    },
    event(event) {
      events.push(event);
    },
    health(device, state, reason) {
      healthChanges.push({ device, state, ...(reason !== undefined ? { reason } : {}) });
    },
    describe(device, info) {
      infos.set(device, info);
    },
    media(device, sources) {
      mediaSources.set(device, sources);
    },
    secret(device, field, ref) {
      return resolveSecret(ref, { baseDir: process.cwd(), env: process.env, path: field, source: `device ${device}` }).reveal();
    },
  };
}
