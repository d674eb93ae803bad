/**
 * `startOpcuaSimulator`: the water plant on an OPC UA server, its tick, and the faults. The plant
 * model and the point store live as long as the simulator; the server itself is one run that a
 * restart replaces, on the same port, PKI folder and certificate.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SensegateError } from '@sensegate/sdk';
import { PointStore } from './address-space/point-store.js';
import { statusCodeNamed } from './address-space/value-forms.js';
import { RESOURCE_PATH, resolveOptions, type OpcuaSimulatorOptions } from './options.js';
import { benchId, benchValue, plantCatalog } from './plant/catalog.js';
import { WaterPlant } from './plant/model.js';
import { startServerRun, type ServerRun } from './server/plant-server.js';
import { HeldResponses } from './server/slow-responses.js';

export interface OpcuaSimulatorStats {
  /** Sessions alive on the server now. */
  sessions: number;
  /** Subscriptions alive on the server now (orphaned ones too, until they time out). */
  subscriptions: number;
  /** Monitored items alive on the server now. */
  monitoredItems: number;
  /** Read service calls served since the simulator started (across restarts). */
  reads: number;
  /** Write service calls served since the simulator started (across restarts). */
  writes: number;
}

export interface OpcuaSimulator {
  /** What clients connect to, e.g. opc.tcp://127.0.0.1:4840/UA/WaterPlant. */
  readonly endpoint: string;
  readonly port: number;
  /** The current index of PLANT_NAMESPACE (it moves with `reorderNamespaces`). */
  readonly namespaceIndex: number;
  /** The server's certificate (PEM), to trust it in a client. */
  readonly certificateFile: string;
  /** The server's PKI folder (own certificate, trusted and rejected client certificates). */
  readonly pkiDir: string;
  /** Whether the server listens (false while a restart keeps it down). */
  readonly running: boolean;
  stats(): OpcuaSimulatorStats;
  /** The current value of a variable by its string id, e.g. `Pump1.Speed`, in the forms of value-forms.ts. */
  value(id: string): unknown;
  /** Sets a value from the process side (a measurement: the physics goes on from it; a setpoint: as if written). */
  set(id: string, value: unknown): void;
  /** Shuts the server down (clients see their connection close), stays down `downMs`, starts again on the same port. */
  restart(options?: { downMs?: number; reorderNamespaces?: boolean }): Promise<void>;
  /** Reads and notifications of the variable carry `status` (a StatusCodes name); undefined clears it. */
  badStatus(id: string, status: string | undefined): void;
  /** A frozen variable stops changing (its source timestamp too) until unfrozen. */
  freeze(id: string, frozen: boolean): void;
  /** Every service response arrives at least `delayMs` late; 0 ends it and sends what was held at once. */
  slow(delayMs: number): void;
  /**
   * Deletes the server's monitored items on a variable (by string id), or all of them, without
   * telling the clients, as some PLCs do after a program download: the items go silent while the
   * values keep moving. Returns how many were dropped.
   */
  dropMonitoredItems(id?: string): number;
  /** Reserved: the plant moves by itself. */
  motion?: never;
  close(): Promise<void>;
}

export async function startOpcuaSimulator(options?: OpcuaSimulatorOptions): Promise<OpcuaSimulator> {
  const settings = resolveOptions(options);
  const ownPki = settings.pkiDir === undefined;
  const pkiDir = settings.pkiDir !== undefined ? resolve(settings.pkiDir) : await mkdtemp(join(tmpdir(), 'sensegate-sim-opcua-'));

  const plant = new WaterPlant(settings.pumps, settings.seed);
  const catalog = plantCatalog(settings.pumps, settings.benchVariables, plant);
  const store = new PointStore(catalog.variables);
  const benchIds = Array.from({ length: settings.benchVariables }, (_, i) => benchId(i));
  let reads = 0;
  let writes = 0;
  let responseDelay = 0;
  let reorderNamespaces = settings.reorderNamespaces;
  const hooks = {
    onRequest(name: string) {
      if (name === 'ReadRequest') reads++;
      else if (name === 'WriteRequest') writes++;
    },
    responseDelay: () => responseDelay,
    held: new HeldResponses(),
  };
  const runOn = (port: number) => startServerRun({ settings, pkiDir, port, reorderNamespaces, catalog, store, hooks });

  let run: ServerRun | undefined;
  try {
    run = await runOn(settings.port);
  } catch (err) {
    if (ownPki) await rm(pkiDir, { recursive: true, force: true });
    throw err;
  }
  const port = run.port;
  const certificateFile = run.certificateFile;
  let namespaceIndex = run.namespaceIndex;

  let ticks = 0;
  const timer = setInterval(() => {
    ticks++;
    plant.step(settings.tick / 1000, (id) => store.value(id));
    for (const [id, value] of plant.measurements()) store.update(id, value);
    for (let i = 0; i < benchIds.length; i++) store.update(benchIds[i]!, benchValue(i, ticks));
  }, settings.tick);
  timer.unref();

  // Restarts and close run one after another.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(task: () => Promise<T>): Promise<T> => {
    const next = queue.then(task, task);
    queue = next.catch(() => undefined);
    return next;
  };
  let closed = false;
  const host = settings.hostname.includes(':') ? `[${settings.hostname}]` : settings.hostname;

  return {
    endpoint: `opc.tcp://${host}:${port}${RESOURCE_PATH}`,
    port,
    get namespaceIndex() {
      return namespaceIndex;
    },
    certificateFile,
    pkiDir,
    get running() {
      return run !== undefined;
    },
    stats: () => ({ ...(run?.live() ?? { sessions: 0, subscriptions: 0, monitoredItems: 0 }), reads, writes }),
    value: (id) => store.value(id),
    set(id, value) {
      const changed = plant.set(id, value);
      if (changed) {
        const shown = plant.measurements();
        for (const other of changed) if (other !== id) store.update(other, shown.get(other)!);
        store.set(id, shown.get(id));
        return;
      }
      const spec = store.spec(id);
      if (spec.writable && spec.range && typeof value === 'number' && (value < spec.range.low || value > spec.range.high)) {
        throw new SensegateError('SG_USAGE', `${id} takes ${spec.range.low} to ${spec.range.high}, got ${value}`);
      }
      store.set(id, value);
    },
    restart: (restartOptions = {}) =>
      serial(async () => {
        if (closed) throw new SensegateError('SG_USAGE', 'the simulator was closed; start a new one');
        const downMs = restartOptions.downMs ?? 0;
        if (typeof downMs !== 'number' || !Number.isFinite(downMs) || downMs < 0) {
          throw new SensegateError('SG_USAGE', `downMs must be a number of ms from 0, got ${String(downMs)}`);
        }
        if (restartOptions.reorderNamespaces !== undefined) reorderNamespaces = restartOptions.reorderNamespaces;
        await run?.stop();
        run = undefined;
        if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
        if (closed) return;
        run = await runOn(port);
        namespaceIndex = run.namespaceIndex;
      }),
    badStatus(id, status) {
      if (status === undefined) return store.setStatus(id, undefined);
      const code = statusCodeNamed(status);
      if (!code) throw new SensegateError('SG_USAGE', `unknown status code "${status}" (names as in StatusCodes: BadSensorFailure, UncertainLastUsableValue, ...)`);
      store.setStatus(id, code);
    },
    freeze: (id, frozen) => store.freeze(id, frozen),
    slow(delayMs) {
      if (typeof delayMs !== 'number' || !Number.isFinite(delayMs) || delayMs < 0) {
        throw new SensegateError('SG_USAGE', `slow needs a delay in ms from 0, got ${String(delayMs)}`);
      }
      responseDelay = delayMs;
      if (delayMs === 0) hooks.held.release();
    },
    dropMonitoredItems(id) {
      if (id !== undefined) store.spec(id); // throws for an unknown id
      return run?.dropMonitoredItems(id === undefined ? undefined : `ns=${namespaceIndex};s=${id}`) ?? 0;
    },
    close: () => {
      closed = true;
      clearInterval(timer);
      hooks.held.release();
      return serial(async () => {
        await run?.stop();
        run = undefined;
        if (ownPki) await rm(pkiDir, { recursive: true, force: true });
      });
    },
  };
}
