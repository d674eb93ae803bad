/**
 * The gateway: wires drivers, devices, the journal, sinks and forwarders together, and takes them
 * down in the reverse order. Data flows one way: device -> driver -> normalize -> journal -> sink.
 */
import { join } from 'node:path';
import {
  SensegateError,
  driverDataDir,
  isReadPoint,
  resolveSecret,
  toSensegateError,
  type DeviceEvent,
  type DeviceInfo,
  type MediaSource,
  type DeviceState,
  type Driver,
  type DriverContext,
  type DriverInstance,
  type Logger,
  type PublishOptions,
  type SecretRef,
  type BirthInfo,
  type Sink,
  type SinkInstance,
  type Value,
} from '@sensegate/sdk';
import { LiveView } from '../api/live.js';
import { CommandRouter } from '../commands/router.js';
import type { GatewayConfig } from '../config/load.js';
import { Forwarder } from '../forward/forwarder.js';
import { Journal } from '../journal/journal.js';
import { Metrics } from '../metrics.js';
import { Pipeline } from '../pipeline/pipeline.js';
import { createSink } from '../sinks/create.js';
import { SinkRegistry } from '../sinks/registry.js';
import { VERSION } from '../version.js';
import { VideoService } from '../video/service.js';
import { VideoRelay } from '../video/relay/index.js';
import { resolveRelaySecrets } from '../video/relay-secrets.js';
import { SnapshotStore, Snapshotter } from '../video/snapshots/index.js';
import { PRIVATE, accessFor, ensureFile, ensureFolder, tighten, type FileAccess } from '../data-folder.js';
import { DataFolderLock } from '../data-lock.js';
import { configSearchPath, DriverRegistry } from '../drivers/registry.js';
import { clockWatch, type ClockStep } from './clock-watch.js';
import { DeviceRunner } from './device-runner.js';
import { driverMetrics } from './driver-metrics.js';
import { FeedWriter, type Feed } from './feed-writer.js';
import { processMetrics, type ProcessMetrics } from './process-metrics.js';
import { nextSession } from './session.js';

/** Longest the start waits for its sinks to connect before polling begins. */
const STARTUP_GRACE = 3000;

/** How long after start a sink that has not connected yet still counts as ready (`/readyz`). */
export const SINK_READY_GRACE = 30_000;

type BirthPoint = BirthInfo['devices'][number]['points'][number];

export interface GatewayOptions {
  config: GatewayConfig;
  drivers: Map<string, Driver>;
  /** The sink of every `sinks:` type (from loadConfigFile); a type missing here is loaded as the configuration does. */
  sinks?: Map<string, Sink>;
  /** Folder for the journal and state; created if missing. */
  dataDir: string;
  log: Logger;
  env?: NodeJS.ProcessEnv;
}

export interface GatewayStatus {
  gateway: string;
  name?: string;
  tags?: Record<string, string>;
  version: string;
  session: number;
  startedAt: number;
  devices: Array<{ id: string; driver: string; state: DeviceState; since: number; reason?: string; lastGoodAt?: number }>;
  journal: ReturnType<Journal['stats']>;
  /** Each sink: connected or not, its cursor, and the dead letters kept for it (`sensegate dead-letters --sink NAME` lists them). */
  sinks: Array<{ name: string; connected: boolean; cursor: number; deadLetters: number }>;
  /** Alarms raised and not yet cleared. */
  alarms: Array<{ device: string; point: string } & Record<string, unknown>>;
}

export class Gateway {
  readonly metrics = new Metrics();
  readonly runners = new Map<string, DeviceRunner>();
  private readonly instances = new Map<string, DriverInstance>();
  private readonly forwarders: Forwarder[] = [];
  private readonly sinks: SinkInstance[] = [];
  /** What devices said about themselves (`context.describe`), for the birth message. */
  private readonly deviceInfo = new Map<string, DeviceInfo>();
  /** Camera streams: relay, snapshots and stream readings. */
  private video: VideoService | undefined;
  private birthTimer: NodeJS.Timeout | undefined;
  private sessionTimer: NodeJS.Timeout | undefined;
  private commands: CommandRouter | undefined;
  private journal!: Journal;
  private lock: DataFolderLock | undefined;
  /** CPU, memory, event-loop lag and the `sensegate_info` series, read at each scrape. */
  private processFigures: ProcessMetrics | undefined;
  private feed!: Feed;
  /** Latest values, trends and recent events for the API and console; absent when the API is off. */
  private liveView: LiveView | undefined;
  private pipeline!: Pipeline;
  private session = 0;
  /** Modes (and group) of the folders and files the gateway creates in its data folder. */
  private access: FileAccess = PRIVATE;
  private startedAt = 0;
  private stopped: Promise<void> | undefined;
  private watchingClock = false;

  private constructor(private readonly options: GatewayOptions) {}

  get id(): string {
    return this.options.config.gateway.id;
  }

  static async start(options: GatewayOptions): Promise<Gateway> {
    const gateway = new Gateway(options);
    try {
      await gateway.open();
    } catch (err) {
      await gateway.stop().catch(() => {});
      throw err;
    }
    return gateway;
  }

  private async open(): Promise<void> {
    const { config, dataDir, log } = this.options;
    this.access = accessFor(config.gateway.dataGroup);
    await ensureFolder(dataDir, this.access, log);
    // Before anything in the folder is read or written: a second gateway is refused here.
    this.lock = await DataFolderLock.acquire(dataDir, { gateway: config.gateway.id, access: this.access });
    const session = await nextSession(dataDir, config.gateway.id, this.access);
    this.session = session.session;
    if (session.save) this.saveSessionLater(session.save);
    this.startedAt = Date.now();
    this.processFigures = processMetrics(this.metrics, { version: VERSION, gateway: config.gateway.id });
    // Created with its mode before SQLite opens it: the WAL and shared-memory files take the same.
    const journalFile = join(dataDir, 'journal.db');
    await ensureFile(journalFile, this.access, log);
    for (const companion of ['-wal', '-shm']) await tighten(journalFile + companion, this.access.file, this.access, log);
    this.journal = await Journal.open({
      path: journalFile,
      ...config.journal,
      log: log.child({ component: 'journal' }),
      metrics: this.metrics,
      clock: () => clockWatch.now(),
    });
    const writer = new FeedWriter(this.journal, this.metrics, { maxEntryBytes: config.journal.maxEntryBytes, log: log.child({ component: 'feed' }) });
    if (config.api.enabled) {
      this.liveView = new LiveView(writer, {
        historySamples: config.api.history.samples,
        historyInterval: config.api.history.interval,
        events: config.api.events,
      });
    }
    this.feed = this.liveView ?? writer;
    const saved = await this.journal.loadStates();
    this.pipeline = new Pipeline({
      out: this.feed,
      log: log.child({ component: 'pipeline' }),
      metrics: this.metrics,
      saved,
      store: { save: (states) => this.journal.saveStates(states) },
    });
    // From here on a step of the wall clock is reported and the journal's ages ignore it.
    clockWatch.on('step', this.clockStepped);
    clockWatch.start();
    this.watchingClock = true;
    // A cursor of a sink that was removed from the configuration would hold back trimming forever.
    const configured = new Set(config.sinks.map((s) => s.name));
    for (const name of this.journal.cursorNames().filter((n) => !configured.has(n))) {
      await this.journal.removeCursor(name);
      log.warn({ sink: name }, `sink ${name} is no longer configured: its journal cursor is removed and its undelivered entries are no longer kept for it`);
    }

    // Devices first: their drivers validate what the schemas could not, before anything connects.
    for (const device of config.devices.filter((d) => d.enabled)) {
      const instance = await this.instanceFor(device.driver);
      const runner = new DeviceRunner(device, instance, this.pipeline, log.child({ device: device.id }), this.metrics);
      this.runners.set(device.id, runner);
      try {
        await runner.prepare();
      } catch (err) {
        throw toSensegateError(err, { device: device.id, driver: device.driver });
      }
    }

    this.pipeline.build(
      config.devices.filter((d) => d.enabled),
      (id) => this.runners.get(id)!.normalizers,
    );
    const used = this.pipeline.stateKeys();
    await this.journal.forgetStates([...saved.keys()].filter((k) => !used.has(k)));

    this.video = await this.startVideo();
    const birth = this.birthInfo();
    this.commands = new CommandRouter({
      gatewayId: config.gateway.id,
      config: config.commands,
      runners: this.runners,
      drivers: this.options.drivers,
      audit: (event) => this.pipeline.event(event),
      log: log.child({ component: 'commands' }),
      metrics: this.metrics,
    });
    const sinkRegistry = new SinkRegistry(configSearchPath(config.file));
    for (const sinkConfig of config.sinks) {
      const definition = this.options.sinks?.get(sinkConfig.type) ?? (await sinkRegistry.load(sinkConfig.type));
      const sink = createSink(definition, sinkConfig, {
        gatewayId: config.gateway.id,
        version: VERSION,
        log: log.child({ sink: sinkConfig.name }),
        metrics: this.metrics,
        baseDir: config.baseDir,
        env: this.options.env ?? process.env,
        devices: config.devices,
      });
      this.sinks.push(sink);
      const router = this.commands;
      if (router.enabled) {
        sink.acceptCommands?.((payload, delivery) => router.handle(payload, { from: `sink ${sink.name}`, retained: delivery.retained }), {
          maxRequestBytes: config.commands.maxRequestBytes,
        });
      }
      const forwarder = new Forwarder({
        journal: this.journal,
        sink,
        options: sinkConfig,
        log: log.child({ sink: sinkConfig.name }),
        metrics: this.metrics,
      });
      this.forwarders.push(forwarder);
      await forwarder.start();
      await sink.start(birth);
    }

    // Give the sinks a moment to connect, so that what the devices read first goes out live rather
    // than as a replay; an uplink that is down does not hold polling back for longer than this.
    await this.sinksConnected(STARTUP_GRACE);
    this.pipeline.start();
    for (const runner of this.runners.values()) runner.start();
    log.info(
      { gateway: config.gateway.id, session: this.session, devices: this.runners.size, sinks: this.sinks.length, lastSeq: this.journal.lastSeq },
      `gateway ${config.gateway.id} started: ${this.runners.size} device(s), ${this.sinks.length} sink(s)`,
    );
  }

  /** The disk is full at start: the session number is saved once there is room, checked every few seconds. */
  private saveSessionLater(save: () => Promise<void>): void {
    const log = this.options.log;
    const file = join(this.options.dataDir, 'gateway.json');
    log.warn(
      { code: 'SG_JOURNAL_DISK_FULL', file, session: this.session },
      `cannot save this run's session number ${this.session} in ${file}: the disk is full; the gateway runs all the same and saves it once there is room (free space on ${this.options.dataDir})`,
    );
    this.sessionTimer = setInterval(() => {
      save().then(
        () => {
          clearInterval(this.sessionTimer);
          log.info({ file, session: this.session }, `session number ${this.session} saved in ${file}`);
        },
        () => {},
      );
    }, 5000);
    this.sessionTimer.unref();
  }

  /** The video service: snapshots always (a camera may announce a stream), the relay when configured. */
  private async startVideo(): Promise<VideoService> {
    const { config, dataDir, log } = this.options;
    const video = config.video;
    const vlog = log.child({ component: 'video' });
    const store = await SnapshotStore.open({
      dir: join(dataDir, 'snapshots'),
      maxBytes: video.snapshots.maxBytes,
      maxAge: video.snapshots.maxAge,
      access: this.access,
      log: vlog,
    });
    const snapshotter = new Snapshotter({ store, log: vlog, timeout: video.snapshots.timeout, ...(video.ffmpeg ? { ffmpeg: video.ffmpeg } : {}) });
    let relay: VideoRelay | undefined;
    if (video.relay?.enabled) {
      let token: string | undefined;
      try {
        const secrets = resolveRelaySecrets(video.relay, { baseDir: config.baseDir, env: this.options.env ?? process.env, source: config.file });
        token = secrets.token;
        relay = await VideoRelay.start({
          host: video.relay.host,
          httpPort: video.relay.httpPort,
          rtmpPort: video.relay.rtmpPort,
          ...secrets,
          dataDir: join(dataDir, 'video'),
          log: vlog,
          metrics: this.metrics,
          limits: {
            maxConnections: video.relay.maxConnections,
            maxConnectionsPerAddress: video.relay.maxConnectionsPerAddress,
            handshakeTimeout: video.relay.handshakeTimeout,
          },
        });
      } catch (err) {
        await snapshotter.close();
        store.close();
        throw err;
      }
      vlog.info(
        { host: video.relay.host, httpPort: relay.httpPort, rtmpPort: relay.rtmpPort },
        `video relay listening on ${video.relay.host}: HTTP-FLV and WS-FLV on port ${relay.httpPort}, RTMP on ${relay.rtmpPort}${token ? ' (token required)' : ''}`,
      );
    }
    return new VideoService({
      gatewayId: config.gateway.id,
      ...(relay ? { relay } : {}),
      snapshots: { snapshotter, store, config: video.snapshots },
      statsInterval: video.relay?.statsInterval,
      ...(video.relay?.push ? { push: video.relay.push } : {}),
      // Stream readings go to the camera's points of those ids, when it has them (the camera profile does).
      publish: (device: string, point: string, value: Value) => {
        const runner = this.runners.get(device);
        const normalizer = runner?.normalizers.get(point);
        if (!normalizer) return;
        runner!.readings.value++;
        this.pipeline.reading(normalizer.reading(value, 'good', clockWatch.now()), normalizer);
      },
      log: vlog,
    });
  }

  private sinksConnected(timeout: number): Promise<void> {
    const waiting = this.sinks.filter((s) => !s.connected);
    if (waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, timeout);
      function done() {
        clearTimeout(timer);
        for (const s of waiting) s.off('connect', check);
        resolve();
      }
      function check() {
        if (waiting.every((s) => s.connected)) done();
      }
      for (const s of waiting) s.on('connect', check);
    });
  }

  private async instanceFor(driverName: string): Promise<DriverInstance> {
    let instance = this.instances.get(driverName);
    if (instance) return instance;
    const driver = this.options.drivers.get(driverName);
    if (!driver) throw new SensegateError('SG_DRIVER_NOT_FOUND', `driver "${driverName}" was not loaded`, { driver: driverName });
    const dataDir = driverDataDir(this.options.dataDir, driver.name);
    await ensureFolder(join(this.options.dataDir, 'drivers'), this.access);
    await ensureFolder(dataDir, this.access);
    instance = driver.create(this.driverContext(driverName, dataDir));
    this.instances.set(driverName, instance);
    return instance;
  }

  private driverContext(driver: string, dataDir: string): DriverContext {
    const log = this.options.log.child({ driver });
    const unknown = this.metrics.counter('sensegate_unknown_points_total', 'Values pushed by a driver for a device or point not in the configuration.');
    const warned = new Set<string>();
    return {
      driver,
      gatewayId: this.id,
      log,
      metrics: driverMetrics(this.metrics, driver),
      dataDir,
      configDir: this.options.config.baseDir,
      publish: (device: string, point: string, value: Value, opts: PublishOptions = {}) => {
        const runner = this.runners.get(device);
        const normalizer = runner?.normalizers.get(point);
        if (!normalizer) {
          unknown.inc({ driver });
          const key = `${device}/${point}`;
          if (!warned.has(key)) {
            warned.add(key);
            const writeOnly = runner?.ref.points.some((p) => p.id === point && !isReadPoint(p.spec));
            log.warn({ device, point }, `driver ${driver} pushed a value for ${key}, which is ${writeOnly ? 'write-only (direction: write)' : 'not configured'}; ignoring it (logged once)`);
          }
          return;
        }
        const received = clockWatch.now();
        const reading = normalizer.reading(value, opts.quality ?? 'good', opts.ts ?? received, opts.status, opts.ts === undefined ? undefined : received);
        runner!.readings.value++;
        this.pipeline.reading(reading, normalizer);
      },
      // Camera events may wait for their snapshot; the video service keeps each device's events in order.
      event: (event: DeviceEvent) => (this.video ? this.video.event(event, (e) => this.pipeline.event(e)) : this.pipeline.event(event)),
      health: (device: string, state: DeviceState, reason?: SensegateError | string) => {
        this.runners.get(device)?.health.report(state, reason);
      },
      // What a device says about itself goes into the birth message; its streams to the video service.
      describe: (device: string, info: DeviceInfo) => this.describeDevice(device, info),
      media: (device: string, sources: readonly MediaSource[]) => {
        if (this.runners.has(device)) this.video?.setMedia(device, sources);
      },
      secret: (device: string, field: string, ref: SecretRef) =>
        resolveSecret(ref, {
          baseDir: this.options.config.baseDir,
          env: this.options.env ?? process.env,
          path: `devices.${device}.${field}`,
          source: this.options.config.file,
        }).reveal(),
    };
  }

  /** Who this gateway is and which run this is: the head of both the birth message and the status. */
  private identity() {
    const { name, tags } = this.options.config.gateway;
    return {
      gateway: this.id,
      ...(name ? { name } : {}),
      ...(tags && Object.keys(tags).length ? { tags } : {}),
      version: VERSION,
      session: this.session,
      startedAt: this.startedAt,
    };
  }

  birthInfo(): BirthInfo {
    const inUse = new Set([...this.runners.values()].map((r) => r.config.driver));
    return {
      ...this.identity(),
      drivers: [...inUse].sort().flatMap((name) => {
        const driver = this.options.drivers.get(name);
        return driver ? [{ name, package: DriverRegistry.packageName(name), version: driver.version, contract: driver.contract ?? 1 }] : [];
      }),
      devices: [...this.runners.values()].map((r) => ({
        id: r.id,
        ...(r.config.name ? { name: r.config.name } : {}),
        driver: r.config.driver,
        ...(Object.keys(r.config.tags).length ? { tags: r.config.tags } : {}),
        ...(this.deviceInfo.has(r.id) ? { info: { ...this.deviceInfo.get(r.id) } } : {}),
        points: [
          ...r.ref.points.map((p): BirthPoint => ({
            id: p.id,
            ...(p.spec.name ? { name: p.spec.name } : {}),
            ...(p.spec.unit ? { unit: p.spec.unit } : {}),
            ...(typeof p.spec.type === 'string' ? { type: p.spec.type } : {}),
            writable: p.spec.writable,
            direction: p.spec.direction,
            // A write-only point is never polled: it has no poll interval.
            ...(isReadPoint(p.spec) ? { pollInterval: p.spec.pollInterval ?? r.config.pollInterval } : {}),
          })),
          ...this.pipeline.derivedPoints(r.id).map((p): BirthPoint => ({
            id: p.id,
            ...(p.name ? { name: p.name } : {}),
            ...(p.unit ? { unit: p.unit } : {}),
            writable: false,
            direction: 'read',
            derived: p.derived,
          })),
        ],
      })),
    };
  }

  /**
   * A device described itself. Unchanged info is ignored; a change is announced in a new birth,
   * once for all devices that describe themselves within the same moment (cameras coming online
   * together after a restart).
   */
  private describeDevice(device: string, info: DeviceInfo): void {
    if (!this.runners.has(device)) return;
    const before = this.deviceInfo.get(device);
    const clean = Object.fromEntries(Object.entries(info).filter(([, v]) => v !== undefined && v !== ''));
    if (before && JSON.stringify(before) === JSON.stringify(clean)) return;
    this.deviceInfo.set(device, clean);
    if (this.birthTimer || this.stopped) return;
    this.birthTimer = setTimeout(() => {
      this.birthTimer = undefined;
      if (this.stopped) return;
      const birth = this.birthInfo();
      for (const sink of this.sinks) sink.announce?.(birth);
    }, 200);
    this.birthTimer.unref();
  }

  /** The camera streams the gateway knows, relayed or not, with where it serves them. */
  streams() {
    return this.video?.status() ?? [];
  }

  /** The camera snapshots kept in the data folder. */
  get snapshots(): SnapshotStore | undefined {
    return this.video?.snapshotStore;
  }

  /** The video relay's HTTP-FLV port, when it runs. */
  get relayPort(): number | undefined {
    return this.video?.relayPort;
  }

  /** Where the relay serves a camera's stream, token included: for the operator, never for logs. */
  streamUrls(device: string, stream?: string, host?: string) {
    return this.video?.urls(device, stream, host);
  }

  status(): GatewayStatus {
    return {
      ...this.identity(),
      devices: [...this.runners.values()].map((r) => ({ id: r.id, driver: r.config.driver, ...r.health.snapshot })),
      journal: this.journal.stats(),
      sinks: this.sinks.map((s) => ({ name: s.name, connected: s.connected, cursor: this.journal.cursor(s.name), deadLetters: this.journal.deadLetterCount(s.name) })),
      alarms: this.pipeline
        .describe()
        .filter((d) => d.step === 'alarm' && d.state.active === true)
        .map((d) => ({ device: d.device, point: d.point, ...d.state })),
    };
  }

  /** The configuration the gateway runs (resolved; secrets still as written, see api/masked-config.ts). */
  get config(): GatewayConfig {
    return this.options.config;
  }

  /** The data folder (journal, state, users, snapshots). */
  get dataDir(): string {
    return this.options.dataDir;
  }

  /** Latest values, trends and recent events, when the API is enabled. */
  get live(): LiveView | undefined {
    return this.liveView;
  }

  /** The command router, for commands that arrive over HTTP (undefined before start). */
  get router(): CommandRouter | undefined {
    return this.commands;
  }

  /** A device's points computed at the edge (`derived:`), with what computes them. */
  derivedPoints(device: string) {
    return this.pipeline.derivedPoints(device);
  }

  /** What a device said about itself (model, firmware), once connected. */
  deviceInfoOf(device: string): DeviceInfo | undefined {
    return this.deviceInfo.get(device);
  }

  /** Records an event in the feed (journal and sinks), as the gateway's own: the API's access audit. */
  recordEvent(event: DeviceEvent): void {
    this.pipeline.event(event);
  }

  /** Modes (and group) of what the gateway creates in its data folder. */
  get fileAccess(): FileAccess {
    return this.access;
  }

  /** The installed drivers, by name. */
  get drivers(): ReadonlyMap<string, Driver> {
    return this.options.drivers;
  }

  /** Each sink's delivery: connected, cursor, messages in flight, backlog (entries, bytes, oldest) and dead letters. */
  async sinkStates() {
    return Promise.all(
      this.sinks.map(async (s, i) => {
        const config = this.options.config.sinks[i];
        const backlog: { entries: number; bytes: number; oldestTs?: number } = await this.journal.backlog(s.name).catch(() => ({ entries: this.forwarders[i]?.backlog ?? 0, bytes: 0 }));
        return {
          name: s.name,
          type: config?.type ?? s.name,
          connected: s.connected,
          cursor: this.journal.cursor(s.name),
          inFlight: this.forwarders[i]?.pending ?? 0,
          backlog,
          deadLetters: this.journal.deadLetterCount(s.name),
        };
      }),
    );
  }

  /** The journal's figures, and its storage settings. */
  async journalState() {
    return { ...this.journal.stats(), ...(await this.journal.storage().catch(() => undefined)) };
  }

  /**
   * Whether the gateway does its job: the journal takes entries (open and writable) and every sink is
   * connected or still within SINK_READY_GRACE of the start. Each reason it is not says what and where.
   */
  readiness(now = Date.now()): { ready: boolean; reasons: string[] } {
    const reasons: string[] = [];
    if (!this.journal || this.stopped) reasons.push('the gateway is starting or stopping');
    else {
      const stats = this.journal.stats();
      if (stats.disk.readOnly) reasons.push(`the journal is read-only: the disk of ${this.options.dataDir} is full`);
      else if (stats.disk.full) reasons.push(`the journal cannot commit: the disk of ${this.options.dataDir} is full`);
    }
    const inGrace = now - this.startedAt < SINK_READY_GRACE;
    for (const s of this.sinks) if (!s.connected && !inGrace) reasons.push(`sink ${s.name} is not connected`);
    return { ready: reasons.length === 0, reasons };
  }

  /** Commits everything read so far to the journal. */
  flush(): Promise<void> {
    return this.journal.flush();
  }

  /** Graceful shutdown: stop polling, commit, deliver what is in flight, announce death, close. */
  stop(): Promise<void> {
    this.stopped ??= this.shutdown();
    return this.stopped;
  }

  private async shutdown(): Promise<void> {
    const log = this.options.log;
    clearTimeout(this.birthTimer);
    clearInterval(this.sessionTimer);
    if (this.watchingClock) {
      this.watchingClock = false;
      clockWatch.off('step', this.clockStepped);
      clockWatch.stop();
    }
    this.commands?.stop();
    this.liveView?.stop();
    const step = async (what: string, fn: () => Promise<unknown>) => {
      try {
        await fn();
      } catch (err) {
        log.error({ err: toSensegateError(err).toJSON() }, `shutdown: ${what} failed: ${(err as Error).message}`);
      }
    };
    await Promise.all([...this.runners.values()].map((r) => step(`stopping device ${r.id}`, () => r.stop())));
    // Events waiting for their snapshot go into the pipeline before it stops; the relay closes.
    if (this.video) await step('stopping the video service', () => this.video!.stop());
    // Open windows and raised alarms are saved, so the next run carries on where this one stopped.
    if (this.pipeline) await step('saving pipeline states', async () => this.pipeline.stop());
    if (this.journal) await step('committing the journal', () => this.journal.flush());
    await Promise.all(this.forwarders.map((f) => step('draining a forwarder', () => f.stop())));
    await Promise.all(this.sinks.map((s) => step(`closing sink ${s.name}`, () => s.stop())));
    await Promise.all([...this.instances.values()].map((i) => step('stopping a driver', () => i.stop())));
    if (this.journal) await step('closing the journal', () => this.journal.close());
    if (this.lock) await step('releasing the data folder', () => this.lock!.release());
    this.processFigures?.stop();
    log.info({ gateway: this.id }, `gateway ${this.id} stopped`);
  }

  /**
   * The wall clock stepped (see clock-watch.ts): the journal and the windows carry on as if it had
   * not, and the step is logged, counted and journaled as a `gateway.clock-step` event.
   */
  private readonly clockStepped = (step: ClockStep): void => {
    // Called from inside whatever took the time that showed the step (a poll, a journal commit): never throws into it.
    try {
      this.reportClockStep(step);
    } catch (err) {
      this.options.log.error({ err }, `handling a step of the wall clock failed: ${(err as Error).message}`);
    }
  };

  private reportClockStep(step: ClockStep): void {
    const direction = step.delta > 0 ? 'forward' : 'back';
    const seconds = Math.abs(step.delta) / 1000;
    const size = seconds >= 10 ? `${Math.round(seconds)} s` : `${seconds.toFixed(1)} s`;
    this.journal.clockStepped(step.delta);
    this.metrics.counter('sensegate_clock_steps_total', 'Steps of the wall clock the gateway saw (NTP stepping it, a person setting it), by direction.').bind({ direction }).value++;
    const message =
      `the wall clock stepped ${direction} by ${size} (from ${iso(step.from)} to ${iso(step.to)}): readings and events are stamped with the new clock from now on; ` +
      `journal ages, windows and timers are not moved by it, no undelivered entry is dropped for it, and windows open across it are marked uncertain (docs/durability.md, Clock steps)`;
    this.options.log.warn({ clockStep: step.delta, direction, from: step.from, to: step.to }, message);
    // The event goes first: in the feed it comes before the windows the step closed.
    this.pipeline.event({
      type: 'gateway.clock-step',
      ts: step.to,
      severity: 'warning',
      message: `gateway ${this.id}: ${message}`,
      data: { direction, step: step.delta, from: step.from, to: step.to },
    });
    this.pipeline.clockStepped(step);
  }
}

function iso(ms: number): string {
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : String(ms);
}
