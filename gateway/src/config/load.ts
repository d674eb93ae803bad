/**
 * Loads and validates a configuration file. Every problem is collected with its file, line and
 * field path, and reported together; nothing is started from a file that has any problem.
 */
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import {
  SensegateError,
  parseYamlSource,
  pointAccess,
  type BackoffSettings,
  type BasePoint,
  type Driver,
  type Sink,
  type PointDirection,
  type YamlPath,
  type YamlSource,
} from '@sensegate/sdk';
import { DriverRegistry, configSearchPath } from '../drivers/registry.js';
import type { ConfiguredStep } from '../pipeline/chain.js';
import { StepRegistry } from '../pipeline/registry.js';
import { SinkRegistry } from '../sinks/registry.js';
import { sinkSchemaFor, type SinkConfig } from '../sinks/sink-schema.js';
import { deviceSchemaFor, profileSchemaFor } from './device-schema.js';
import { ConfigError, issueAt, issuesFromZod, type ConfigIssue } from './issues.js';
import { checkDerivedInputs, resolveDerived, resolvePipeline, stepPointOf, type DerivedConfig } from './pipeline.js';
import { configSchema, type GatewaySection, type LogSettings, type TopLevelConfig } from './schema.js';
import { publishPathsNamingDevices } from '../video/schema.js';

export type { SinkConfig } from '../sinks/sink-schema.js';

export type PointConfig = BasePoint & {
  /** The point's own steps, resolved; absent when it takes the device's (or profile's) pipeline. */
  pipeline?: ConfiguredStep[];
} & Record<string, unknown>;

export interface DeviceConfig {
  id: string;
  name?: string;
  description?: string;
  driver: string;
  enabled: boolean;
  pollInterval: number;
  timeout: number;
  reconnect: BackoffSettings;
  profile?: string;
  tags: Record<string, string>;
  connection: unknown;
  points: PointConfig[];
  /** Steps for the points that have none of their own (from the device, else its profile). */
  pipeline?: ConfiguredStep[];
  derived: DerivedConfig[];
}

/** The steps a point's readings pass through. */
export function pipelineOf(device: DeviceConfig, point: PointConfig): ConfiguredStep[] {
  return point.pipeline ?? device.pipeline ?? [];
}

export interface GatewayConfig {
  /** The file it was loaded from (absolute). */
  file: string;
  /** Folder of the file: relative paths in the config (secret files, profiles, certificates) start here. */
  baseDir: string;
  gateway: GatewaySection;
  log: LogSettings;
  journal: TopLevelConfig['journal'];
  sinks: SinkConfig[];
  commands: TopLevelConfig['commands'];
  video: TopLevelConfig['video'];
  api: TopLevelConfig['api'];
  devices: DeviceConfig[];
}

export interface LoadedConfig {
  config: GatewayConfig;
  /** The driver of every device, by driver name as written in the config. */
  drivers: Map<string, Driver>;
  /** The sink of every `sinks:` block, by `type` as written in the config. */
  sinks: Map<string, Sink>;
  /** The parsed file, to place later problems (a driver's device checks) at their line. */
  source: YamlSource;
}

export async function loadConfigFile(file: string, registry?: DriverRegistry, sinkRegistry?: SinkRegistry): Promise<LoadedConfig> {
  const path = resolve(file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new SensegateError('SG_CONFIG_NOT_FOUND', `cannot read configuration file ${file}: ${(err as Error).message}`, {
      source: file,
      cause: err,
    });
  }
  return loadConfigText(text, path, registry ?? new DriverRegistry(configSearchPath(path)), undefined, sinkRegistry);
}

export async function loadConfigText(
  text: string,
  file: string,
  registry: DriverRegistry,
  steps: StepRegistry = new StepRegistry(configSearchPath(file)),
  sinkRegistry: SinkRegistry = new SinkRegistry(configSearchPath(file)),
): Promise<LoadedConfig> {
  const source = parseYamlSource(file, text);
  if (source.syntaxErrors.length > 0) {
    const issues = source.syntaxErrors.map((e) => ({ file, line: e.line, col: e.col, path: '(yaml)', message: e.message }));
    throw new ConfigError(issues);
  }

  const issues: ConfigIssue[] = [];
  const top = configSchema.safeParse(source.data ?? {}, { reportInput: true });
  if (!top.success) issues.push(...issuesFromZod(top.error, source));

  const rawDevices = Array.isArray((source.data as { devices?: unknown } | undefined)?.devices)
    ? ((source.data as { devices: unknown[] }).devices)
    : [];
  const drivers = new Map<string, Driver>();
  const devices: DeviceConfig[] = [];
  const baseDir = dirname(file);
  const profiles = new Map<string, Promise<ProfileContent | undefined | 'missing'>>();
  const crossCheck: DeviceScope['crossCheck'] = [];

  for (let i = 0; i < rawDevices.length; i++) {
    const device = await validateDevice(rawDevices[i], ['devices', i], {
      source,
      registry,
      steps,
      drivers,
      baseDir,
      issues,
      profiles,
      crossCheck,
    });
    if (device) devices.push(device);
  }

  const rawSinks = Array.isArray((source.data as { sinks?: unknown } | undefined)?.sinks) ? (source.data as { sinks: unknown[] }).sinks : [];
  const sinkDefinitions = new Map<string, Sink>();
  const sinks: Array<SinkConfig | undefined> = [];
  for (let i = 0; i < rawSinks.length; i++) {
    sinks.push(await validateSink(rawSinks[i], ['sinks', i], { source, registry: sinkRegistry, sinks: sinkDefinitions, issues }));
  }

  // Checked on what was written, so a duplicate is reported even when one of the two has other problems.
  const rawIds = rawDevices.map((d) => (d && typeof d === 'object' && typeof (d as { id?: unknown }).id === 'string' ? (d as { id: string }).id : undefined));
  checkUnique(rawIds, (index, id) =>
    issues.push(issueAt(source, ['devices', index, 'id'], `duplicate device id "${id}"`)),
  );
  // On every device whose points are known, even one with other problems, so all are reported at once.
  checkDerivedInputs(crossCheck, source, issues);
  checkUnique(sinks.map((s) => s?.name), (index, name) =>
    issues.push(issueAt(source, ['sinks', index, 'name'], `duplicate sink name "${name}"; give each sink its own name (it names its journal cursor)`)),
  );
  if (top.success) {
    checkEntryFits(top.data.journal.maxEntryBytes, sinks, source, issues);
    for (const { index, message } of publishPathsNamingDevices(top.data.video, rawIds)) {
      issues.push(issueAt(source, ['video', 'relay', 'publish', 'paths', index], message));
    }
  }

  if (issues.length > 0 || !top.success) throw new ConfigError(issues);
  return {
    config: {
      file,
      baseDir,
      gateway: top.data.gateway,
      log: top.data.log,
      journal: top.data.journal,
      sinks: sinks.filter((s) => s !== undefined),
      commands: top.data.commands,
      video: top.data.video,
      api: top.data.api,
      devices,
    },
    drivers,
    sinks: sinkDefinitions,
    source,
  };
}

/** A `sinks:` block, validated against its sink's schema; its problems are reported at their line. */
async function validateSink(
  raw: unknown,
  at: YamlPath,
  scope: { source: YamlSource; registry: SinkRegistry; sinks: Map<string, Sink>; issues: ConfigIssue[] },
): Promise<SinkConfig | undefined> {
  const { source, issues } = scope;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    issues.push(issueAt(source, at, 'expected a mapping with at least `type`'));
    return undefined;
  }
  const type = (raw as { type?: unknown }).type;
  if (typeof type !== 'string' || type.length === 0) {
    issues.push(issueAt(source, [...at, 'type'], 'is required: a built-in sink type such as `mqtt`, or a sink package name'));
    return undefined;
  }
  let sink = scope.sinks.get(type);
  if (!sink) {
    try {
      sink = await scope.registry.load(type);
      scope.sinks.set(type, sink);
    } catch (err) {
      issues.push(issueAt(source, [...at, 'type'], (err as Error).message));
      return undefined;
    }
  }
  const parsed = sinkSchemaFor(sink, type).safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    issues.push(...issuesFromZod(parsed.error, source, at));
    return undefined;
  }
  return parsed.data;
}

interface DeviceScope {
  source: YamlSource;
  registry: DriverRegistry;
  steps: StepRegistry;
  drivers: Map<string, Driver>;
  baseDir: string;
  issues: ConfigIssue[];
  profiles: Map<string, Promise<ProfileContent | undefined | 'missing'>>;
  /** Points and derived points of every device, for the checks across devices. */
  crossCheck: Array<{ id: string; points: PointConfig[]; derived: DerivedConfig[] }>;
}

/** What a profile gives a device: its points, and the steps for those without their own. */
interface ProfileContent {
  points: PointConfig[];
  pipeline?: ConfiguredStep[];
}

async function validateDevice(raw: unknown, at: YamlPath, scope: DeviceScope): Promise<DeviceConfig | undefined> {
  const { source, issues } = scope;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    issues.push(issueAt(source, at, 'expected a mapping with at least `id`, `driver` and `connection`'));
    return undefined;
  }
  const driverName = (raw as { driver?: unknown }).driver;
  if (typeof driverName !== 'string' || driverName.length === 0) {
    issues.push(issueAt(source, [...at, 'driver'], 'is required: a built-in driver name such as `modbus`, or a driver package name'));
    return undefined;
  }
  let driver = scope.drivers.get(driverName);
  if (!driver) {
    try {
      driver = await scope.registry.load(driverName);
      scope.drivers.set(driverName, driver);
    } catch (err) {
      issues.push(issueAt(source, [...at, 'driver'], (err as Error).message));
      return undefined;
    }
  }

  const parsed = deviceSchemaFor(driver).safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    issues.push(...issuesFromZod(parsed.error, source, at));
    return undefined;
  }
  const device = parsed.data;
  const points: PointConfig[] = [];
  let pipeline: ConfiguredStep[] | undefined;
  if (device.profile) {
    const profile = await loadProfilePoints(device.profile, driver, [...at, 'profile'], scope);
    if (!profile) return undefined;
    points.push(...profile.points);
    pipeline = profile.pipeline;
  }
  const pipelineScope = { source, steps: scope.steps, issues };
  let valid = true;
  if (device.pipeline) {
    pipeline = await resolvePipeline(device.pipeline, [...at, 'pipeline'], { device: device.id, point: '*' }, pipelineScope);
    valid &&= pipeline !== undefined;
  }
  const own = await resolvePoints(device.points, [...at, 'points'], device.id, driver, pipelineScope);
  valid &&= own.valid;
  const derived: DerivedConfig[] = [];
  for (let k = 0; k < device.derived.length; k++) {
    const d = await resolveDerived(device.derived[k]!, device.id, [...at, 'derived', k], pipelineScope);
    if (d) derived.push(d);
    else valid = false;
  }
  checkUnique(device.derived.map((d) => d.id), (index, id) =>
    issues.push(issueAt(source, [...at, 'derived', index, 'id'], `duplicate derived point id "${id}" in device "${device.id}"`)),
  );
  checkUnique(own.points.map((p) => p.id), (index, id) =>
    issues.push(issueAt(source, [...at, 'points', index, 'id'], `duplicate point id "${id}" in device "${device.id}"`)),
  );
  for (const point of own.points) {
    const existing = points.findIndex((p) => p.id === point.id);
    if (existing >= 0) points[existing] = point;
    else points.push(point);
  }
  if (points.length === 0) {
    issues.push(issueAt(source, at, `device "${device.id}" has no points: give it \`points:\` or a \`profile:\``));
  }
  scope.crossCheck.push({ id: device.id, points, derived });
  if (!valid) return undefined;
  return {
    id: device.id,
    ...(device.name !== undefined ? { name: device.name } : {}),
    ...(device.description !== undefined ? { description: device.description } : {}),
    driver: driverName,
    enabled: device.enabled,
    pollInterval: device.pollInterval,
    timeout: device.timeout,
    reconnect: device.reconnect,
    ...(device.profile !== undefined ? { profile: device.profile } : {}),
    tags: device.tags ?? {},
    connection: device.connection,
    points,
    ...(pipeline ? { pipeline } : {}),
    derived,
  };
}

/**
 * Points as written, with their `pipeline` steps resolved. A point whose steps have a problem (each
 * is reported) is still returned, without steps, so the checks across points see it; `valid` says.
 */
async function resolvePoints(
  written: ReadonlyArray<Record<string, unknown> & { pipeline?: unknown }>,
  at: YamlPath,
  device: string,
  driver: Driver,
  scope: { source: YamlSource; steps: StepRegistry; issues: ConfigIssue[] },
): Promise<{ points: PointConfig[]; valid: boolean }> {
  let valid = true;
  const points: PointConfig[] = [];
  for (let i = 0; i < written.length; i++) {
    const { pipeline, ...fields } = written[i]!;
    const point = fields as PointConfig;
    const access = pointAccess(fields as { writable?: boolean; direction?: PointDirection }, driver.pointDirection?.(fields));
    if ('problem' in access) {
      scope.issues.push(issueAt(scope.source, [...at, i, access.problem.path], access.problem.message));
      valid = false;
    } else Object.assign(point, access);
    if (pipeline) {
      const steps = await resolvePipeline(pipeline as Array<Record<string, unknown>>, [...at, i, 'pipeline'], stepPointOf(device, point), scope);
      if (steps) point.pipeline = steps;
      else valid = false;
    }
    points.push(point);
  }
  return { points, valid };
}

/** Resolves a profile name (shipped with the driver) or path (relative to the config file). */
export function profilePath(profile: string, driver: Driver, baseDir: string): string | undefined {
  if (profile.endsWith('.yaml') || profile.endsWith('.yml') || profile.includes('/')) {
    return isAbsolute(profile) ? profile : resolve(baseDir, profile);
  }
  return driver.profiles ? join(driver.profiles, `${profile}.yaml`) : undefined;
}

async function loadProfilePoints(
  profile: string,
  driver: Driver,
  at: YamlPath,
  scope: DeviceScope,
): Promise<ProfileContent | undefined> {
  const path = profilePath(profile, driver, scope.baseDir);
  if (!path) {
    scope.issues.push(issueAt(scope.source, at, `driver "${driver.name}" ships no profiles; give a path to a profile file`));
    return undefined;
  }
  // Several devices often share one profile: read and validate it once, report its problems once.
  let result = scope.profiles.get(path);
  if (!result) {
    result = readProfile(path, driver, scope.issues, scope.steps);
    scope.profiles.set(path, result);
  }
  const content = await result;
  if (content === 'missing') {
    scope.issues.push(issueAt(scope.source, at, `profile "${profile}" not found (looked for ${path})`));
    return undefined;
  }
  return content;
}

async function readProfile(path: string, driver: Driver, issues: ConfigIssue[], steps: StepRegistry): Promise<ProfileContent | undefined | 'missing'> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return 'missing';
  }
  const source = parseYamlSource(path, text);
  if (source.syntaxErrors.length > 0) {
    for (const e of source.syntaxErrors) issues.push({ file: path, line: e.line, col: e.col, path: '(yaml)', message: e.message });
    return undefined;
  }
  const parsed = profileSchemaFor(driver).safeParse(source.data, { reportInput: true });
  if (!parsed.success) {
    issues.push(...issuesFromZod(parsed.error, source));
    return undefined;
  }
  const scope = { source, steps, issues };
  const { points, valid: pointsValid } = await resolvePoints(parsed.data.points, ['points'], '(profile)', driver, scope);
  let valid = pointsValid;
  let pipeline: ConfiguredStep[] | undefined;
  if (parsed.data.pipeline) {
    pipeline = await resolvePipeline(parsed.data.pipeline, ['pipeline'], { device: '(profile)', point: '*' }, scope);
    valid &&= pipeline !== undefined;
  }
  if (!valid) return undefined;
  return { points, ...(pipeline ? { pipeline } : {}) };
}

/** Room a message needs beyond its entries: the envelope (version, gateway, seq, flags, time). */
export const ENVELOPE_BYTES = 512;

/** One entry at the journal's bound, in its envelope, must fit in every sink's message limit. */
function checkEntryFits(maxEntryBytes: number, sinks: ReadonlyArray<SinkConfig | undefined>, source: YamlSource, issues: ConfigIssue[]): void {
  sinks.forEach((sink, index) => {
    if (typeof sink?.maxMessageBytes !== 'number' || sink.maxMessageBytes >= maxEntryBytes + ENVELOPE_BYTES) return;
    issues.push(
      issueAt(
        source,
        ['sinks', index, 'maxMessageBytes'],
        `${sink.maxMessageBytes} bytes cannot carry one entry at journal.maxEntryBytes (${maxEntryBytes}) in its envelope: ` +
          `raise it to at least ${maxEntryBytes + ENVELOPE_BYTES}, or lower journal.maxEntryBytes to ${sink.maxMessageBytes - ENVELOPE_BYTES} or less`,
      ),
    );
  });
}

function checkUnique(values: Array<string | undefined>, onDuplicate: (index: number, value: string) => void): void {
  const seen = new Set<string>();
  values.forEach((v, i) => {
    if (v === undefined) return;
    if (seen.has(v)) onDuplicate(i, v);
    seen.add(v);
  });
}
