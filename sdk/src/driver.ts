/**
 * The driver contract. A driver is protocol code only: the gateway owns scheduling, timeouts,
 * normalization (scale, offset, unit, quality), health, metrics, logging and the journal.
 *
 * Two styles share this one contract:
 * - polled drivers (Modbus) implement `read`; the gateway calls it at fixed rate with a batch of
 *   points, and the driver fills the batch;
 * - push drivers (subscriptions, station uplinks, camera events) call `context.publish` and
 *   `context.event` whenever the device speaks.
 * Both may implement `write`. A definition may add to the command line what needs no configured
 * device: `discover`, `browse`, named `tools` and its `simulator` (see driver-cli.ts).
 *
 * Obligations of every driver:
 * - `addDevice` validates what the schemas could not (address ranges, conflicting points) and throws
 *   `SG_CONFIG_INVALID` for those; it must not fail because a device is unreachable: connect lazily,
 *   reconnect with backoff, and let reads fail with retryable errors meanwhile. Dry runs
 *   (`sensegate validate`, `sensegate plan`) call it too, so it opens no socket and binds no port:
 *   listening and sessions start in `startDevice`.
 * - A failure of one device must never reach another device or the process.
 * - Every point of a read batch ends with a value or an error.
 * - Every request to a device ends within the device's `timeout` (the driver enforces it), and a
 *   read stops when `batch.signal` aborts (shutdown, or the gateway's safety net much later).
 * - `stop` releases every socket, timer and port; the gateway awaits it on shutdown.
 */
import type { z } from 'zod';
import type { DriverBrowse, DriverDiscover, DriverTool } from './driver-cli.js';
import type { SensegateError } from './errors.js';
import type { Logger } from './logger.js';
import type { DriverMetrics } from './metrics.js';
import type { Quality } from './quality.js';
import type { DeviceEvent, Value } from './reading.js';
import type { BasePoint, BackoffSettings, PointDirection } from './schema.js';
import type { SecretRef } from './secret.js';

/** A point as the driver sees it: the generic fields plus the driver's own. */
export interface PointRef<P = Record<string, unknown>> {
  readonly id: string;
  /** The validated point configuration: generic fields (`unit`, `scale`, ...) and the driver's fields. */
  readonly spec: Readonly<BasePoint & P>;
}

/** A configured device as the driver sees it. */
export interface DeviceRef<C = unknown, P = Record<string, unknown>> {
  readonly id: string;
  /** The device's `connection` block, validated by the driver's `connection` schema. */
  readonly connection: C;
  readonly points: readonly PointRef<P>[];
  readonly timeout: number;
  readonly pollInterval: number;
  readonly reconnect: Readonly<BackoffSettings>;
  readonly tags: Readonly<Record<string, string>>;
  /** A logger bound to this device. */
  readonly log: Logger;
}

/** A driver's plan for reading a group of points, made once and reused for every poll. */
export interface ReadPlan {
  /** One line per request, for `sensegate plan` and the logs. */
  describe(): string[];
}

/**
 * One poll of a group of points. The driver sets every point, by its index in `points`, then
 * resolves. If `read` throws, every point not yet set fails with that error.
 */
export interface ReadBatch<P = Record<string, unknown>> {
  readonly points: readonly PointRef<P>[];
  /** The plan returned by `planRead` for exactly these points, if the driver has one. */
  readonly plan: ReadPlan | undefined;
  /** When the poll started, ms since the epoch; the reading's time unless a source time is given. */
  readonly time: number;
  /**
   * Aborted when the gateway stops, and as a safety net when the poll has run for max(timeout × 10,
   * poll interval × 5, 10 s). The gateway does not abort at the device's timeout: the driver gives
   * every request to the device that timeout itself (`withTimeout`) and also stops when this aborts
   * (`abortable`). The conformance kit is stricter and aborts it at the device's timeout.
   */
  readonly signal: AbortSignal;
  /** A good raw value (before scale and offset), with the device's own timestamp if it has one. */
  good(index: number, value: Value, sourceTs?: number): void;
  /** A value with explicit quality and protocol status, e.g. an uncertain value flagged by the device. */
  set(index: number, value: Value, quality: Quality, status?: string, sourceTs?: number): void;
  /** No value: the point's reading becomes bad quality carrying the error's code and status. */
  fail(index: number, error: SensegateError): void;
}

export interface PublishOptions {
  quality?: Quality;
  status?: string;
  /** The device's own timestamp, ms since the epoch. */
  ts?: number;
}

export type DeviceState = 'starting' | 'online' | 'degraded' | 'offline' | 'stopped';

/**
 * What a device says about itself once connected (manufacturer, model, firmware, serial number):
 * announced in the birth message as the device's `info`. Keys are short camelCase words.
 */
export type DeviceInfo = Readonly<Record<string, string | number | boolean>>;

/**
 * A media stream a device offers, such as a camera's RTSP stream. The gateway relays it and takes
 * snapshots from it when its configuration asks for that.
 */
export interface MediaSource {
  /** Stream id within the device (`main`, `sub`): the last segment of the gateway's relay path. */
  readonly id: string;
  /** The stream's URL (`rtsp://...`) without credentials: safe to log and to show. */
  readonly url: string;
  /**
   * The account the stream and snapshot URLs require; the gateway adds it only where it connects, and never logs it.
   * A driver announces only URLs on hosts its configuration trusts with this account (the ONVIF driver rewrites the
   * addresses a camera reports to the configured one).
   */
  readonly auth?: { readonly user: string; readonly password: string };
  /** The device's configuration allows answering an HTTP or RTSP Basic challenge without TLS; otherwise Basic is refused there. */
  readonly allowBasicOverHttp?: boolean;
  /** A URL that answers one JPEG picture (an ONVIF snapshot URI), without credentials. */
  readonly snapshotUrl?: string;
  /** Video codec as the device reports it, lower case (`h264`, `h265`). */
  readonly codec?: string;
  readonly width?: number;
  readonly height?: number;
  readonly fps?: number;
}

/** A command a driver accepts (a camera's PTZ move), beside writes to points. */
export interface DriverCommand {
  /** One line, shown by `sensegate drivers` and in command errors. */
  readonly description: string;
  /** The command's arguments; unknown keys are rejected before the driver sees them. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly args: z.ZodObject<any>;
}

/** What the gateway gives a driver instance. */
export interface DriverContext {
  readonly driver: string;
  readonly gatewayId: string;
  readonly log: Logger;
  /**
   * Counters and gauges the gateway serves with its own metrics, each series labelled with the
   * driver's name. Label values must come from the configuration or a fixed set in the code,
   * never from the wire. Get a series once and keep it.
   */
  readonly metrics: DriverMetrics;
  /** A folder the driver owns for state such as certificates; created before `create` is called. */
  readonly dataDir: string;
  /** Folder of the configuration file: relative paths in a device's `connection` block start here. */
  readonly configDir: string;
  /** Push style: a raw value (before scale and offset) of a configured point. Unknown points are counted and ignored. */
  publish(device: string, point: string, value: Value, options?: PublishOptions): void;
  /** Push style: an event from a device. */
  event(event: DeviceEvent): void;
  /**
   * Report a device's connection state. Polled drivers need not call it: the gateway derives it from
   * read outcomes. Push drivers must, since only they know when a device speaks.
   */
  health(device: string, state: DeviceState, reason?: SensegateError | string): void;
  /**
   * Resolves a secret field of a device's `connection` block (declared with the SDK's `secret()`
   * schema): `{ env: NAME }`, `{ file: PATH }` relative to the configuration file, or a literal.
   * `field` names it for errors (`connection.user.password`). Throws SG_SECRET_MISSING.
   */
  secret(device: string, field: string, ref: SecretRef): string;
  /** What the device said about itself; the gateway announces it in a new birth message when it changes. */
  describe(device: string, info: DeviceInfo): void;
  /** The device's media streams, replacing any announced before (an empty list withdraws them). */
  media(device: string, sources: readonly MediaSource[]): void;
}

export interface DiscoveredDevice {
  /** A suggested device id. */
  id: string;
  name?: string;
  /** A `connection` block that the driver's schema accepts. */
  connection: Record<string, unknown>;
  /** Anything the protocol reported: manufacturer, model, firmware, addresses. */
  info?: Record<string, unknown>;
  /** A profile of the driver's that fits the device (`camera`), written as the device's `profile`. */
  profile?: string;
  /** Other device fields to write (`timeout: 5s`), before `connection`. */
  settings?: Record<string, unknown>;
  /** Suggested points: each an `id` and the driver's point fields. */
  points?: Array<Record<string, unknown>>;
}

export interface BrowseNode {
  /** What to put in a point's address field to read this node. */
  address: string;
  name: string;
  kind: 'folder' | 'variable' | 'method' | 'object';
  dataType?: string;
  writable?: boolean;
  children?: BrowseNode[];
}

/** One driver instance serves every device of that driver in the gateway, so devices can share buses. */
export interface DriverInstance<C = unknown, P = Record<string, unknown>> {
  addDevice(device: DeviceRef<C, P>): void | Promise<void>;
  removeDevice(deviceId: string): void | Promise<void>;
  /**
   * Begin talking to a device added earlier (connect, log in, subscribe). Called when the gateway
   * starts running the device, never by dry runs (`validate`, `plan`), which only add devices. Must
   * not throw because the device is unreachable: keep trying in the background.
   */
  startDevice?(device: DeviceRef<C, P>): void | Promise<void>;
  /** Polled style: plan how to read these points (called once per poll group, and by `sensegate plan`). */
  planRead?(device: DeviceRef<C, P>, points: readonly PointRef<P>[]): ReadPlan;
  /** Polled style: read a batch of points. */
  read?(device: DeviceRef<C, P>, batch: ReadBatch<P>): Promise<void>;
  /**
   * Drivers that push some points and poll others (OPC UA subscriptions beside polled reads): whether
   * the gateway polls this point. Without it, a driver with `read` has every point polled.
   */
  polls?(device: DeviceRef<C, P>, point: PointRef<P>): boolean;
  /** Write a value (already validated as writable) to a point; resolves once the device confirmed it. */
  write?(device: DeviceRef<C, P>, point: PointRef<P>, value: Value): Promise<void>;
  /**
   * Run one of the commands the driver declares in `commands`, with arguments already validated by
   * that command's schema. Resolves with a JSON-serializable result once the device confirmed it.
   */
  command?(device: DeviceRef<C, P>, command: string, args: Record<string, unknown>, signal: AbortSignal): Promise<unknown>;
  /**
   * Find devices on the network. Not called by the gateway: `sensegate discover` runs the definition's
   * `discover`, which needs no instance.
   */
  discover?(options: Record<string, unknown>, signal: AbortSignal): Promise<DiscoveredDevice[]>;
  /** Walk a device's address space. Not called by the gateway: `sensegate browse` runs the definition's `browse`. */
  browse?(device: DeviceRef<C, P>, from?: string): Promise<BrowseNode[]>;
  /** Release every resource; called once on shutdown. */
  stop(): Promise<void>;
}

// The driver's schemas are typed loosely (any zod object) so that definitions written against
// one zod minor version still type-check against another.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyObjectSchema = z.ZodObject<any>;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnySchema = z.ZodType<any, any>;

export interface DriverDefinition<
  CS extends AnySchema = AnySchema,
  PS extends AnyObjectSchema = AnyObjectSchema,
  DS extends AnyObjectSchema = AnyObjectSchema,
  BS extends AnyObjectSchema = AnyObjectSchema,
> {
  /** Short protocol name (`modbus`) for built-ins; third-party drivers are referenced by package name. */
  name: string;
  version: string;
  /** One line, shown by `sensegate drivers`. */
  description: string;
  /** Schema of a device's `connection` block. */
  connection: CS;
  /** Schema of the driver's own point fields; merged with the generic point fields, unknown keys rejected. */
  point: PS;
  /**
   * The direction a point takes when its configuration leaves `direction` out, decided from the
   * driver's own fields: a point that carries no data (a command) is `write`. Undefined keeps the
   * generic rule (`readwrite` with `writable: true`, else `read`). Must be pure: it runs on
   * `sensegate validate` and on every load.
   */
  pointDirection?(point: z.output<PS>): PointDirection | undefined;
  /** Absolute folder with `<name>.yaml` device profiles shipped with the driver. */
  profiles?: string;
  /** Commands beyond point writes, by name (`ptz.move`); the instance runs them in `command`. */
  commands?: Readonly<Record<string, DriverCommand>>;
  /** `sensegate discover <driver>`: finds devices from a bare block of options, without a configured device. */
  discover?: DriverDiscover<DS>;
  /** `sensegate browse <driver> <target>`: walks a device's address space and writes its configuration. */
  browse?: DriverBrowse<BS>;
  /** `sensegate <driver> <tool>`: the driver's own commands, by name (`certs`). */
  tools?: Readonly<Record<string, DriverTool>>;
  /**
   * The package name of the protocol's simulator, resolved from the driver package's folder, for
   * `sensegate sim <driver>`. It exports `runSimulatorCli(argv)` (SimulatorModule).
   */
  simulator?: string;
  create(context: DriverContext): DriverInstance<z.output<CS>, z.output<PS>>;
}

const BRAND = Symbol.for('sensegate.driver');

/**
 * The version of the contract between a gateway and its drivers that this SDK speaks. It goes up
 * when a change would make a driver built against one SDK misbehave in a gateway of another; a
 * gateway refuses, at load, a driver made for a contract it does not speak, naming both.
 */
export const DRIVER_CONTRACT = 1;

export type Driver<
  CS extends AnySchema = AnySchema,
  PS extends AnyObjectSchema = AnyObjectSchema,
  DS extends AnyObjectSchema = AnyObjectSchema,
  BS extends AnyObjectSchema = AnyObjectSchema,
> = Readonly<DriverDefinition<CS, PS, DS, BS>> & {
  readonly [BRAND]: true;
  /** The driver contract of the SDK that made this driver (see DRIVER_CONTRACT). */
  readonly contract: number;
};

const NAME = /^(@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*$/;

/**
 * Declares a driver. Default-export the result from a driver package. The option schemas of
 * `discover` and `browse` type their `run`'s options, as `connection` and `point` type the instance.
 */
export function defineDriver<
  CS extends AnySchema,
  PS extends AnyObjectSchema,
  DS extends AnyObjectSchema = AnyObjectSchema,
  BS extends AnyObjectSchema = AnyObjectSchema,
>(definition: DriverDefinition<CS, PS, DS, BS>): Driver<CS, PS, DS, BS> {
  const problems: string[] = [];
  if (!NAME.test(definition.name ?? '')) problems.push('`name` must be a lowercase npm-style name');
  if (!definition.version) problems.push('`version` is required');
  if (typeof definition.create !== 'function') problems.push('`create` must be a function');
  if (!definition.connection || typeof definition.connection.safeParse !== 'function') {
    problems.push('`connection` must be a zod schema');
  }
  if (!definition.point || typeof definition.point.shape !== 'object') problems.push('`point` must be a zod object schema');
  if (definition.pointDirection !== undefined && typeof definition.pointDirection !== 'function') problems.push('`pointDirection` must be a function');
  for (const [hook, value] of [['discover', definition.discover], ['browse', definition.browse]] as const) {
    if (value === undefined) continue;
    if (typeof value.run !== 'function') problems.push(`\`${hook}.run\` must be a function`);
    if (!value.options || typeof value.options.shape !== 'object') problems.push(`\`${hook}.options\` must be a zod object schema`);
  }
  if (definition.browse && definition.browse.options?.shape && !(definition.browse.target in definition.browse.options.shape)) {
    problems.push(`\`browse.target\` must name a field of \`browse.options\``);
  }
  for (const [name, tool] of Object.entries(definition.tools ?? {})) {
    if (!/^[a-z][a-z0-9-]*$/.test(name)) problems.push(`tool "${name}" must be a lowercase word`);
    if (typeof tool?.run !== 'function') problems.push(`tool "${name}" must have a \`run\` function`);
  }
  if (problems.length > 0) {
    throw new TypeError(`invalid driver definition "${String(definition.name)}": ${problems.join('; ')}`);
  }
  return Object.freeze({ ...definition, contract: DRIVER_CONTRACT, [BRAND]: true as const });
}

export function isDriver(value: unknown): value is Driver {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}
