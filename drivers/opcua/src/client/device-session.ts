/**
 * One device's life with its server: connect, log in, learn the namespaces and operation limits,
 * subscribe, and start over from the configuration whenever anything breaks. The gateway owns the
 * reconnect (node-opcua's own is turned off), so after a server restart the session and every
 * monitored item come back exactly once, and a data-age watchdog catches items that go silent.
 */
import { RetryTimer, SensegateError, abortable, isReadPoint, sleep, withTimeout, type DeviceRef, type DriverContext, type PointRef, type ReadBatch, type Value } from '@sensegate/sdk';
import {
  AttributeIds,
  ClientMonitoredItem,
  ClientMonitoredItemGroup,
  DataChangeFilter,
  DataChangeTrigger,
  DeadbandType,
  TimestampsToReturn,
  type ClientMonitoredItemBase,
  type ClientSession,
  type ClientSubscription,
  type DataType,
  type DataValue,
  type MonitoringParametersOptions,
  type OPCUACertificateManager,
  type OPCUAClient,
  type ReadValueIdOptions,
} from 'node-opcua';
import { policyOf, type OpcuaConnection } from '../config/connection.js';
import type { OpcuaPointFields } from '../config/point.js';
import { NamespaceMap, parseNodeId, type ParsedNodeId } from '../node-id.js';
import { fromDataValue, toVariant, type Converted } from '../values.js';
import { explain } from './explain.js';
import { createCertificates, disposeCertificates, openSession, withOwnCertificate, type Identity } from './connect.js';

export type OpcuaDevice = DeviceRef<OpcuaConnection, OpcuaPointFields>;
type Point = PointRef<OpcuaPointFields>;

/** Operation limits as used: 0 from the server means "no limit", which we still cap to keep messages sane. */
export interface Limits {
  read: number;
  write: number;
  monitoredItemsPerCall: number;
  browse: number;
}
const CAP = { read: 1000, write: 1000, monitoredItemsPerCall: 1000, browse: 500 };

interface Item {
  point: Point;
  id: ParsedNodeId;
  /** This session's node id, once resolved. */
  nodeId: string | undefined;
  /** The monitored item currently delivering this point's changes. */
  handle: ClientMonitoredItemBase | undefined;
  staleAfter: number;
  lastSeen: number;
  last: Converted | undefined;
  stale: boolean;
  checking: boolean;
}

export interface SessionStats {
  /** Sessions created (1 after the first connect, +1 per recovery). */
  sessions: number;
  /** Monitored items created, including re-creations. */
  itemsCreated: number;
  /** Items the watchdog found silent while their value had moved, and re-created. */
  itemsRecreated: number;
  /** Times the watchdog marked a point stale. */
  staleMarks: number;
  /** Changes received. */
  changes: number;
}

type Live = { client: OPCUAClient; session: ClientSession; subscription: ClientSubscription | undefined; broken: (why: SensegateError | string) => void };

export class DeviceSession {
  readonly stats: SessionStats = { sessions: 0, itemsCreated: 0, itemsRecreated: 0, staleMarks: 0, changes: 0 };
  readonly limits: Limits = { ...CAP };
  private readonly items: Item[] = [];
  private readonly polled = new Map<string, ParsedNodeId>();
  private readonly namespaces = new NamespaceMap();
  private readonly retry: RetryTimer;
  private readonly stopping = new AbortController();
  private live: Live | undefined;
  private running: Promise<void> | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private lastPublish = 0;
  private readonly dataTypes = new Map<string, { type: DataType; isArray: boolean }>();
  private readonly where: { driver: string; device: string };
  /** Resolves when the device is next online: how reads and writes wait out a reconnect. */
  private onlineWaiters: Array<() => void> = [];

  /** This device's view of the PKI folder; made again after a certificate refusal. */
  private certificates: OPCUACertificateManager | undefined;
  private rereadPki = false;

  constructor(
    readonly device: OpcuaDevice,
    private readonly context: DriverContext,
    private readonly pki: string,
    private readonly identity: Identity,
  ) {
    this.where = { driver: context.driver, device: device.id };
    this.retry = new RetryTimer(device.reconnect);
    const c = device.connection;
    for (const point of device.points) {
      const id = parseNodeId(point.spec.nodeId);
      if (!isReadPoint(point.spec)) continue; // write-only: written on request, never subscribed
      if (point.spec.mode === 'poll') {
        this.polled.set(point.id, id);
        continue;
      }
      this.items.push({ point, id, nodeId: undefined, handle: undefined, staleAfter: point.spec.staleAfter ?? c.staleAfter, lastSeen: performance.now(), last: undefined, stale: false, checking: false });
    }
  }

  get online(): boolean {
    return this.live !== undefined;
  }

  /** Subscribed points; the rest are polled. */
  subscribes(pointId: string): boolean {
    return !this.polled.has(pointId);
  }

  start(): void {
    if (this.running || this.stopping.signal.aborted) return;
    this.running = this.run();
    const period = this.watchdogPeriod();
    this.watchdog = setInterval(() => void this.checkAges(), period);
    this.watchdog.unref();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    clearInterval(this.watchdog);
    this.live?.broken('stopping');
    await this.running;
  }

  // ---- connection lifecycle ------------------------------------------------------------------

  private async run(): Promise<void> {
    const signal = this.stopping.signal;
    while (!signal.aborted) {
      let reason: SensegateError | string = 'closed';
      try {
        const opened = await withOwnCertificate(this.pki, async () => {
          if (!this.certificates || this.rereadPki) {
            await disposeCertificates(this.certificates);
            this.certificates = await createCertificates(this.pki);
            this.rereadPki = false;
          }
          return openSession({
            connection: this.device.connection,
            identity: this.identity,
            certificates: this.certificates,
            pki: this.pki,
            timeout: Math.max(this.device.timeout, 5000),
            where: this.where,
          });
        });
        if (signal.aborted) {
          await opened.session.close().catch(() => {});
          await opened.client.disconnect().catch(() => {});
          break;
        }
        reason = await this.serve(opened.client, opened.session);
      } catch (err) {
        reason = explain(err, this.explainContext('connecting'), this.where);
      }
      if (signal.aborted) break;
      // A certificate trusted (or replaced) meanwhile is read on the next attempt.
      if (typeof reason !== 'string' && /Certificate|SecurityChecks/.test(reason.status ?? '')) this.rereadPki = true;
      const { delay, passed } = this.retry.wait(signal);
      const message = typeof reason === 'string' ? reason : reason.message;
      // Explained errors already begin with the endpoint; say it once.
      const endpoint = this.device.connection.endpoint;
      const where = message.startsWith(`${endpoint}: `) ? message : `${endpoint}: ${message}`;
      this.device.log.warn({ retryIn: delay }, `${where}; reconnecting in ${delay} ms`);
      this.context.health(this.device.id, 'offline', reason);
      await passed;
    }
    await disposeCertificates(this.certificates);
    this.certificates = undefined;
    this.context.health(this.device.id, 'stopped');
  }

  private explainContext(step: string) {
    const c = this.device.connection;
    return {
      endpoint: c.endpoint,
      step,
      pki: this.pki,
      securityMode: c.securityMode,
      securityPolicy: policyOf(c),
      ...(this.identity.kind === 'user' ? { userName: this.identity.userName } : {}),
    };
  }

  /** Sets a session up, serves it until something breaks, and tears it down. Resolves with why it ended. */
  private async serve(client: OPCUAClient, session: ClientSession): Promise<SensegateError | string> {
    let resolveBroken!: (why: SensegateError | string) => void;
    const ended = new Promise<SensegateError | string>((r) => (resolveBroken = r));
    let done = false;
    const live: Live = {
      client,
      session,
      subscription: undefined,
      broken: (why) => {
        if (done) return;
        done = true;
        resolveBroken(why);
      },
    };
    client.on('connection_lost', () => live.broken(new SensegateError('SG_CONNECTION_LOST', `${this.device.connection.endpoint}: the connection to the server was lost`, this.where)));
    client.on('close', () => live.broken(new SensegateError('SG_CONNECTION_LOST', `${this.device.connection.endpoint}: the connection was closed`, this.where)));
    session.on('session_closed', () => live.broken(new SensegateError('SG_CONNECTION_LOST', `${this.device.connection.endpoint}: the server closed the session`, this.where)));
    session.on('keepalive_failure', () => live.broken(new SensegateError('SG_CONNECTION_LOST', `${this.device.connection.endpoint}: the session stopped answering keep-alives`, this.where)));
    this.stats.sessions++;
    try {
      await this.prepare(live);
      if (!done) {
        this.live = live;
        this.retry.succeeded();
        this.context.health(this.device.id, 'online');
        this.device.log.info(
          { items: this.items.length, polled: this.polled.size, limits: this.limits },
          `${this.device.connection.endpoint}: session ${this.stats.sessions > 1 ? 're-created' : 'created'}, ${this.items.length} items subscribed`,
        );
        for (const wake of this.onlineWaiters.splice(0)) wake();
      }
    } catch (err) {
      live.broken(explain(err, this.explainContext('setting up the session'), this.where));
    }
    const why = await ended;
    this.live = undefined;
    for (const item of this.items) item.handle = undefined;
    await this.teardown(live);
    return why;
  }

  private async teardown(live: Live): Promise<void> {
    // At most 2 s for each step of a teardown; the deadline's timer goes with the step, so a stopped
    // driver leaves no timer behind.
    const quick = <T>(p: Promise<T>) => withTimeout(p, 2000, 'closing the session').catch(() => {});
    if (live.subscription) await quick(live.subscription.terminate());
    await quick(live.session.close(true));
    await quick(live.client.disconnect());
  }

  private async prepare(live: Live): Promise<void> {
    const { session } = live;
    const c = this.device.connection;
    // Namespaces first: every node id of this session is resolved against them.
    const namespaces = await session.readNamespaceArray();
    const indexes = new Set<number>();
    for (const id of [...this.items.map((i) => i.id), ...this.polled.values()]) if ('index' in id.namespace) indexes.add(id.namespace.index);
    for (const warning of this.namespaces.update(namespaces, indexes)) this.device.log.warn(warning);
    this.dataTypes.clear();

    Object.assign(this.limits, await readLimits(session));

    if (this.items.length === 0) return;
    const subscription = await session.createSubscription2({
      requestedPublishingInterval: c.publishingInterval,
      requestedMaxKeepAliveCount: c.keepAliveCount,
      requestedLifetimeCount: c.lifetimeCount,
      maxNotificationsPerPublish: c.maxNotificationsPerPublish,
      publishingEnabled: true,
      priority: 10,
    });
    live.subscription = subscription;
    this.lastPublish = performance.now();
    subscription.on('keepalive', () => (this.lastPublish = performance.now()));
    subscription.on('terminated', () => live.broken(new SensegateError('SG_CONNECTION_LOST', `${c.endpoint}: the server ended the subscription`, this.where)));
    subscription.on('internal_error', (err: Error) => live.broken(explain(err, this.explainContext('receiving changes'), this.where)));

    // Items sharing sampling, queue and deadband go in one group, in calls that fit the server's limit.
    const groups = new Map<string, Item[]>();
    for (const item of this.items) {
      const resolved = this.namespaces.resolve(item.id);
      if ('problem' in resolved) {
        item.nodeId = undefined;
        this.unresolved(item, resolved.problem);
        continue;
      }
      item.nodeId = resolved.nodeId;
      const key = JSON.stringify(this.parameters(item.point));
      let list = groups.get(key);
      if (!list) groups.set(key, (list = []));
      list.push(item);
    }
    for (const list of groups.values()) {
      for (let i = 0; i < list.length; i += this.limits.monitoredItemsPerCall) {
        await this.monitorFitting(live, subscription, list.slice(i, i + this.limits.monitoredItemsPerCall));
      }
    }
  }

  /** A server that advertises no limit (or a wrong one) but refuses big calls gets smaller ones. */
  private async monitorFitting(live: Live, subscription: ClientSubscription, items: Item[]): Promise<void> {
    try {
      await this.monitorGroup(live, subscription, items);
    } catch (err) {
      if (!/BadTooManyOperations/.test(String((err as Error).message)) || items.length <= 1) throw err;
      const half = Math.ceil(items.length / 2);
      this.limits.monitoredItemsPerCall = Math.min(this.limits.monitoredItemsPerCall, half);
      this.device.log.warn(`${this.device.connection.endpoint}: the server refused ${items.length} monitored items in one call; creating ${half} per call`);
      await this.monitorFitting(live, subscription, items.slice(0, half));
      await this.monitorFitting(live, subscription, items.slice(half));
    }
  }

  private parameters(point: Point): MonitoringParametersOptions {
    const c = this.device.connection;
    const deadband = point.spec.deadband;
    return {
      samplingInterval: point.spec.samplingInterval ?? c.samplingInterval,
      queueSize: point.spec.queueSize ?? c.queueSize,
      discardOldest: true,
      ...(deadband
        ? {
            filter: new DataChangeFilter({
              trigger: DataChangeTrigger.StatusValue,
              deadbandType: 'absolute' in deadband ? DeadbandType.Absolute : DeadbandType.Percent,
              deadbandValue: 'absolute' in deadband ? deadband.absolute : deadband.percent,
            }),
          }
        : {}),
    };
  }

  private async monitorGroup(live: Live, subscription: ClientSubscription, items: Item[]): Promise<void> {
    const toMonitor: ReadValueIdOptions[] = items.map((i) => ({ nodeId: i.nodeId!, attributeId: AttributeIds.Value }));
    const group = ClientMonitoredItemGroup.create(subscription, toMonitor, this.parameters(items[0]!.point), TimestampsToReturn.Both);
    // Listen before the creation completes: the first values can come with the next publish.
    group.on('changed', (handle: ClientMonitoredItemBase, dv: DataValue, index: number) => {
      const item = items[index];
      if (item && item.handle === handle) this.onChange(item, dv);
    });
    for (const [index, item] of items.entries()) item.handle = group.monitoredItems[index];
    await new Promise<void>((resolve, reject) => {
      group.once('initialized', () => resolve());
      group.once('err', (message: string) => reject(new Error(`creating monitored items failed: ${message}`)));
    });
    if (live.subscription !== subscription) return;
    this.stats.itemsCreated += items.length;
    for (const [index, item] of items.entries()) {
      const code = group.monitoredItems[index]?.statusCode;
      if (code && code.value >>> 30 !== 0) this.itemFailed(item, `opcua:${code.name}`, `cannot monitor ${item.point.spec.nodeId}: the server answered ${code.name}`);
    }
  }

  private onChange(item: Item, dv: DataValue): void {
    const now = performance.now();
    this.lastPublish = now;
    this.stats.changes++;
    item.lastSeen = now;
    item.stale = false;
    const v = fromDataValue(dv, item.point.spec.timestamp);
    item.last = v;
    this.context.publish(this.device.id, item.point.id, v.value, { quality: v.quality, ...(v.status ? { status: v.status } : {}), ...(v.ts !== undefined ? { ts: v.ts } : {}) });
  }

  private unresolved(item: Item, problem: string): void {
    this.itemFailed(item, 'opcua:BadNodeIdUnknown', `point ${item.point.id} (${item.point.spec.nodeId}): ${problem}`);
  }

  private itemFailed(item: Item, status: string, message: string): void {
    item.handle = undefined;
    item.lastSeen = performance.now();
    this.device.log.warn({ point: item.point.id }, message);
    this.context.publish(this.device.id, item.point.id, null, { quality: 'bad', status });
  }

  // ---- data-age watchdog ---------------------------------------------------------------------

  private watchdogPeriod(): number {
    const ages = this.items.map((i) => i.staleAfter).filter((a) => a > 0);
    const c = this.device.connection;
    const silence = c.publishingInterval * c.keepAliveCount;
    return Math.max(250, Math.min(15_000, silence, ...ages.map((a) => a / 4)));
  }

  /** Checks the subscription's pulse and each item's data age. Never throws. */
  private async checkAges(): Promise<void> {
    const now = performance.now();
    const live = this.live;
    const c = this.device.connection;
    if (live?.subscription && now - this.lastPublish > 3 * c.publishingInterval * c.keepAliveCount + 5000) {
      live.broken(new SensegateError('SG_CONNECTION_LOST', `${c.endpoint}: the subscription sent neither changes nor keep-alives for ${Math.round(now - this.lastPublish)} ms`, this.where));
      return;
    }
    const due = this.items.filter((i) => i.staleAfter > 0 && !i.checking && !i.stale && now - i.lastSeen > i.staleAfter);
    if (due.length === 0) return;
    if (!live || !live.subscription) {
      for (const item of due) this.markStale(item, 'no session with the server');
      return;
    }
    for (const item of due) item.checking = true;
    try {
      for (let i = 0; i < due.length; i += this.limits.read) {
        const chunk = due.slice(i, i + this.limits.read).filter((x) => x.nodeId !== undefined);
        if (chunk.length === 0) continue;
        let values: DataValue[];
        try {
          values = await withTimeout(live.session.read(chunk.map((x) => ({ nodeId: x.nodeId!, attributeId: AttributeIds.Value })), 0), this.device.timeout, `reading ${chunk.length} silent item(s)`);
        } catch (err) {
          const e = explain(err, this.explainContext('checking silent items'), this.where);
          for (const item of chunk) this.markStale(item, e.message);
          continue;
        }
        for (const [k, item] of chunk.entries()) await this.judge(live, item, values[k]!);
      }
    } finally {
      for (const item of due) item.checking = false;
    }
  }

  /** A silent item's fresh read: unchanged (fine), moved (the item is broken: re-create it), or bad. */
  private async judge(live: Live, item: Item, dv: DataValue): Promise<void> {
    const v = fromDataValue(dv, item.point.spec.timestamp);
    if (v.quality === 'bad' || !item.last || !sameValue(v, item.last, item.point.spec.deadband)) {
      if (v.quality !== 'bad' && item.last) {
        this.device.log.warn({ point: item.point.id }, `point ${item.point.id} was silent for ${Math.round(performance.now() - item.lastSeen)} ms while its value moved; re-creating its monitored item`);
        await this.recreate(live, item);
      }
      this.onChange(item, dv);
      return;
    }
    item.lastSeen = performance.now(); // unchanged: silence was right
  }

  private async recreate(live: Live, item: Item): Promise<void> {
    const subscription = live.subscription;
    if (!subscription || !item.nodeId) return;
    const old = item.handle;
    const fresh = ClientMonitoredItem.create(subscription, { nodeId: item.nodeId, attributeId: AttributeIds.Value }, this.parameters(item.point), TimestampsToReturn.Both);
    fresh.on('changed', (dv: DataValue) => {
      if (item.handle === fresh) this.onChange(item, dv);
    });
    item.handle = fresh;
    try {
      await new Promise<void>((resolve, reject) => {
        fresh.once('initialized', () => resolve());
        fresh.once('err', (message: string) => reject(new Error(message)));
      });
      this.stats.itemsCreated++;
      this.stats.itemsRecreated++;
      await old?.terminate().catch(() => {});
    } catch (err) {
      this.itemFailed(item, 'opcua:BadMonitoredItemIdInvalid', `re-creating the monitored item of ${item.point.id} failed: ${(err as Error).message}`);
    }
  }

  private markStale(item: Item, why: string): void {
    item.stale = true;
    this.stats.staleMarks++;
    this.device.log.warn({ point: item.point.id }, `point ${item.point.id} has had no data for ${Math.round(performance.now() - item.lastSeen)} ms (${why}); marking it stale`);
    this.context.publish(this.device.id, item.point.id, item.last?.value ?? null, { quality: item.last?.value == null ? 'bad' : 'uncertain', status: 'opcua:stale' });
  }

  // ---- reads, writes, browse -----------------------------------------------------------------

  /** The session, waiting up to `ms` for one if the device is reconnecting. */
  async session(ms: number, signal?: AbortSignal): Promise<ClientSession> {
    if (this.live) return this.live.session;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      const wake = () => done();
      this.onlineWaiters.push(wake);
      signal?.addEventListener('abort', done, { once: true });
      function done() {
        clearTimeout(timer);
        resolve();
      }
    });
    // A reconnect may have finished while we waited (TypeScript cannot see that across the await).
    const live = this.live as Live | undefined;
    if (live) return live.session;
    throw new SensegateError('SG_NOT_CONNECTED', `${this.device.connection.endpoint}: no session with the server (reconnecting)`, this.where);
  }

  /** Resolves a configured node id for the current session. */
  resolve(id: ParsedNodeId): string {
    const r = this.namespaces.resolve(id);
    if ('problem' in r) throw new SensegateError('SG_CONFIG_INVALID', `${id.text}: ${r.problem}`, { ...this.where, status: 'opcua:BadNodeIdUnknown' });
    return r.nodeId;
  }

  async read(batch: ReadBatch<OpcuaPointFields>): Promise<void> {
    // While (re)connecting, a poll waits for the session until the batch's own deadline.
    const session = await this.session(this.device.timeout, batch.signal);
    const entries: Array<{ index: number; nodeId: string }> = [];
    for (const [index, point] of batch.points.entries()) {
      try {
        entries.push({ index, nodeId: this.resolve(this.polled.get(point.id) ?? parseNodeId(point.spec.nodeId)) });
      } catch (err) {
        batch.fail(index, err as SensegateError);
      }
    }
    for (let i = 0; i < entries.length; ) {
      const chunk = entries.slice(i, i + this.limits.read);
      let values: DataValue[];
      try {
        values = await abortable(session.read(chunk.map((e) => ({ nodeId: e.nodeId, attributeId: AttributeIds.Value })), 0), batch.signal);
      } catch (err) {
        if (!/BadTooManyOperations/.test(String((err as Error).message)) || chunk.length <= 1) throw err;
        this.limits.read = Math.ceil(chunk.length / 2);
        this.device.log.warn(`${this.device.connection.endpoint}: the server refused ${chunk.length} nodes in one read; reading ${this.limits.read} per call`);
        continue;
      }
      i += chunk.length;
      for (const [k, e] of chunk.entries()) {
        const v = fromDataValue(values[k]!, batch.points[e.index]!.spec.timestamp);
        if (v.quality === 'bad') {
          batch.fail(e.index, new SensegateError('SG_NO_VALUE', `${batch.points[e.index]!.spec.nodeId}: ${v.status?.slice('opcua:'.length)}`, { ...this.where, point: batch.points[e.index]!.id, status: v.status }));
        } else {
          batch.set(e.index, v.value, v.quality, v.status, v.ts);
        }
      }
    }
  }

  async write(point: Point, value: Value): Promise<void> {
    const where = { ...this.where, point: point.id };
    const session = await this.session(this.device.timeout);
    const nodeId = this.resolve(parseNodeId(point.spec.nodeId));
    let shape = this.dataTypes.get(nodeId);
    if (!shape) {
      const [type, rank] = await Promise.all([
        session.getBuiltInDataType(nodeId as unknown as Parameters<ClientSession['getBuiltInDataType']>[0]),
        session.read({ nodeId, attributeId: AttributeIds.ValueRank }),
      ]);
      shape = { type, isArray: typeof rank.value.value === 'number' && rank.value.value >= 0 };
      this.dataTypes.set(nodeId, shape);
    }
    const variant = toVariant(value, shape.type, shape.isArray, `point ${point.id} (${point.spec.nodeId})`);
    const code = await withTimeout(session.write({ nodeId, attributeId: AttributeIds.Value, value: { value: variant } }), this.device.timeout, `writing ${point.id}`);
    if (code.value !== 0) {
      throw new SensegateError('SG_WRITE_REJECTED', `point ${point.id} (${point.spec.nodeId}): the server refused the write: ${code.name}`, { ...where, status: `opcua:${code.name}` });
    }
  }
}

/** Server.ServerCapabilities.OperationLimits: MaxNodesPerRead, ...PerWrite, ...PerBrowse, MaxMonitoredItemsPerCall. */
const LIMIT_NODES = { read: 'i=11705', write: 'i=11707', browse: 'i=11710', monitoredItemsPerCall: 'i=11714' } as const;

/**
 * The server's operation limits, read so that reading them cannot break them: MaxNodesPerRead
 * alone first, then the others one by one. A limit the server leaves out (or 0) is capped anyway.
 */
export async function readLimits(session: ClientSession): Promise<Limits> {
  const out: Limits = { ...CAP };
  for (const key of Object.keys(LIMIT_NODES) as Array<keyof Limits>) {
    const dv = await session.read({ nodeId: LIMIT_NODES[key], attributeId: AttributeIds.Value }).catch(() => undefined);
    const v = dv && dv.statusCode.value === 0 ? Number(dv.value.value) : 0;
    out[key] = v > 0 ? Math.min(v, CAP[key]) : CAP[key];
  }
  return out;
}

function sameValue(a: Converted, b: Converted, deadband: OpcuaPointFields['deadband']): boolean {
  if (a.quality !== b.quality || a.status !== b.status) return false;
  if (typeof a.value === 'number' && typeof b.value === 'number') {
    if (deadband && 'percent' in deadband) return true; // within the server's percent deadband, as far as we can tell
    return Math.abs(a.value - b.value) <= (deadband && 'absolute' in deadband ? deadband.absolute : 0);
  }
  return JSON.stringify(a.value) === JSON.stringify(b.value);
}

