/**
 * `startModbusSimulator`: units with their tables and generators, a tick that moves the values,
 * faults, and one transport (Modbus TCP, RTU over TCP, or RTU on a serial device).
 */
import { SensegateError, type Value } from '@sensegate/sdk';
import type { Table } from './profile/schema.js';
import { FaultState, type ExceptionTarget } from './protocol/faults.js';
import { RequestHandler, type UnknownUnitPolicy } from './protocol/request-handler.js';
import { StatCounters, type SimulatorStats } from './protocol/stats.js';
import { MbapLink } from './transport/mbap-link.js';
import { RtuLink } from './transport/rtu-link.js';
import { SerialLine } from './transport/serial-line.js';
import { TcpListener, type LinkFactory } from './transport/tcp-listener.js';
import { SimUnit, type SimulatorUnit } from './unit.js';

export type Framing = 'tcp' | 'rtu-over-tcp';

export interface SimulatorOptions {
  /** Address to listen on (default 127.0.0.1). */
  host?: string;
  /** TCP port (default 5020; 0 picks a free one, see `port` on the result). */
  port?: number;
  /** `tcp`: Modbus TCP (MBAP). `rtu-over-tcp`: RTU frames with CRC on a TCP socket, as a serial server forwards them. */
  framing?: Framing;
  /** Serve RTU on this serial device instead of TCP (host, port and framing are then ignored). */
  serialPath?: string;
  /** Serial speed (default 9600). */
  baudRate?: number;
  units: SimulatorUnit[];
  /** How often generators move the values, in ms (default 100). */
  tick?: number;
  /** Seed of the random walks (default: from the clock); the same seed gives the same walk. */
  seed?: number;
  /** TCP answer to a request for a unit that does not exist (default `exception`: 0x0B). RTU is always silent. */
  unknownUnit?: UnknownUnitPolicy;
  /** RTU: bytes of an incomplete frame are dropped when nothing more arrived for this long, in ms (default 150). */
  rtuFrameGap?: number;
}

export interface SimulatorFaults {
  /** Delays every answer (of one unit) by `ms`; 0 removes the delay. */
  latency(ms: number, unitId?: number): void;
  /** Answers matching requests with exception `code` (0 removes the fault with that target). */
  exception(code: number, target?: ExceptionTarget): void;
  /** A silent unit receives requests and answers none (default `silent` true; false answers again). */
  silence(unitId: number, silent?: boolean): void;
  /** Closes every client connection now (TCP framings). */
  dropConnections(): void;
  /** Removes every latency, exception and silence. */
  clear(): void;
  /** The faults in effect, as text. */
  describe(): string;
}

export interface ModbusSimulator {
  readonly host: string;
  /** The port listened on (the actual one when 0 was asked), or 0 on a serial device. */
  readonly port: number;
  readonly framing: Framing | 'rtu';
  readonly serialPath: string | undefined;
  readonly unitIds: readonly number[];
  /** Whether it is listening (false between `stop` and `start`). */
  readonly listening: boolean;
  /** The current engineering value of a point (as the gateway would read it). */
  value(unitId: number, pointId: string): Value;
  /** Pins a value: stored now, and the point's generator stops. */
  set(unitId: number, pointId: string, value: Value): void;
  /** Lets a pinned (or client-written) point's generator run again. */
  release(unitId: number, pointId: string): void;
  /** Raw registers (wire bytes) or packed bits, as a read request would return them. */
  readRegisters(unitId: number, table: Table, address: number, count: number): Buffer;
  /** Point ids of a unit. */
  points(unitId: number): string[];
  readonly faults: SimulatorFaults;
  /** Stops listening and closes clients: the device goes away. Values keep their state and keep moving. */
  stop(): Promise<void>;
  /** Listens again on the same port (opens the serial device again). */
  start(): Promise<void>;
  stats(): SimulatorStats;
  /** Stops for good: transport and timers. */
  close(): Promise<void>;
}

interface Transport {
  readonly listening: boolean;
  open(): Promise<void>;
  close(): Promise<void>;
  drop(): void;
}

export async function startModbusSimulator(options: SimulatorOptions): Promise<ModbusSimulator> {
  const tick = options.tick ?? 100;
  if (!Number.isFinite(tick) || tick <= 0) throw new SensegateError('SG_USAGE', `tick must be a positive number of ms, got ${tick}`);
  const seed = options.seed ?? Date.now() % 2 ** 31;
  if (!options.units?.length) throw new SensegateError('SG_USAGE', 'a Modbus simulator needs at least one unit');

  const units = new Array<SimUnit | undefined>(256);
  options.units.forEach((spec, i) => {
    if (!Number.isInteger(spec.unitId) || spec.unitId < 0 || spec.unitId > 255) {
      throw new SensegateError('SG_USAGE', `units[${i}].unitId must be an integer from 0 to 255, got ${spec.unitId}`);
    }
    if (units[spec.unitId]) throw new SensegateError('SG_USAGE', `unit id ${spec.unitId} is given twice (units[${i}])`);
    units[spec.unitId] = new SimUnit(spec, `units[${i}] (unit ${spec.unitId})`, { seed, tick });
  });

  const faults = new FaultState();
  const counters = new StatCounters();
  const handler = new RequestHandler(units, faults, counters, options.unknownUnit ?? 'exception');
  const frameGap = options.rtuFrameGap ?? 150;
  const framing = options.serialPath ? 'rtu' : (options.framing ?? 'tcp');
  if (framing !== 'tcp' && framing !== 'rtu-over-tcp' && framing !== 'rtu') {
    throw new SensegateError('SG_USAGE', `framing must be tcp or rtu-over-tcp, got ${String(framing)}`);
  }
  const createLink: LinkFactory =
    framing === 'tcp' ? (out) => new MbapLink(handler, faults, counters, out) : (out) => new RtuLink(handler, faults, counters, out, frameGap);

  const host = options.host ?? '127.0.0.1';
  let port = options.port ?? 5020;
  let transport: Transport;
  if (options.serialPath) {
    const line = new SerialLine(options.serialPath, options.baudRate ?? 9600, createLink, counters);
    transport = { get listening() { return line.listening; }, open: () => line.open(), close: () => line.close(), drop: () => {} };
  } else {
    const listener = new TcpListener(createLink, counters);
    transport = {
      get listening() { return listener.listening; },
      open: async () => void (port = await listener.listen(host, port)),
      close: () => listener.close(),
      drop: () => listener.dropClients(),
    };
  }

  const started = Date.now();
  const live = units.filter((u): u is SimUnit => u !== undefined);
  const timer = setInterval(() => {
    const elapsed = Date.now() - started;
    for (const u of live) u.update(elapsed);
  }, tick);
  timer.unref();

  try {
    await transport.open();
  } catch (err) {
    clearInterval(timer);
    throw err;
  }

  const unit = (unitId: number): SimUnit => {
    const u = units[unitId];
    if (!u) throw new SensegateError('SG_USAGE', `the simulator has no unit ${unitId} (units: ${live.map((x) => x.id).join(', ')})`);
    return u;
  };
  let closed = false;

  return {
    host: options.serialPath ?? host,
    get port() {
      return options.serialPath ? 0 : port;
    },
    framing,
    serialPath: options.serialPath,
    unitIds: live.map((u) => u.id),
    get listening() {
      return transport.listening;
    },
    value: (unitId, pointId) => unit(unitId).value(pointId),
    set: (unitId, pointId, value) => unit(unitId).set(pointId, value),
    release: (unitId, pointId) => unit(unitId).release(pointId),
    readRegisters(unitId, table, address, count) {
      const t = unit(unitId).tables[table];
      if (!t) throw new SensegateError('SG_USAGE', `unknown table "${String(table)}" (holding, input, coil, discrete)`);
      if (!Number.isInteger(address) || !Number.isInteger(count) || address < 0 || count < 1 || !t.covers(address, count)) {
        throw new SensegateError('SG_USAGE', `unit ${unitId} ${table} serves addresses 0..${t.size - 1}; cannot read ${count} from ${address}`);
      }
      const out = Buffer.alloc(table === 'coil' || table === 'discrete' ? (count + 7) >> 3 : count * 2);
      t.read(address, count, out, 0);
      return out;
    },
    points: (unitId) => [...unit(unitId).points.keys()],
    faults: {
      latency: (ms, unitId) => faults.latency(ms, unitId),
      exception: (code, target) => faults.exception(code, target),
      silence: (unitId, silent) => faults.silence(unitId, silent),
      dropConnections: () => transport.drop(),
      clear: () => faults.clear(),
      describe: () => faults.describe(),
    },
    stop: () => transport.close(),
    start: async () => {
      if (closed) throw new SensegateError('SG_USAGE', 'the simulator was closed; start a new one');
      await transport.open();
    },
    stats: () => counters.snapshot(),
    close: async () => {
      closed = true;
      clearInterval(timer);
      await transport.close();
    },
  };
}
