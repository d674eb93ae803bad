/**
 * The command router: the one way commands reach devices. A request is size-checked, parsed,
 * checked against the allow-list, validated against the driver's command schema (or the point's
 * writability), run with a timeout, audited as an event in the feed, and answered with an
 * acknowledgement, whatever happened. Nothing a platform sends can throw past this class.
 *
 * A platform can be compromised or misconfigured, so what it sends is bounded: a request's size
 * (`maxRequestBytes`), how many arrive per second (`rate`) and run at once (`maxInFlight`), and
 * how old it may be (`maxAge`, or the request's own `expires`). A request whose id was answered
 * within `duplicateWindow` is answered again and not run again; a retained request (which a broker
 * replays to every new subscriber, so at every gateway start) is never run. The audit event keeps
 * an excerpt of large arguments with their size and hash, never the whole.
 */
import {
  LogLimiter,
  SensegateError,
  abortable,
  describeZodError,
  toSensegateError,
  type DeviceEvent,
  type Driver,
  type Logger,
  type Value,
} from '@sensegate/sdk';
import { clip, sha256 } from '../feed/entry-bound.js';
import type { Metrics } from '../metrics.js';
import type { DeviceRunner } from '../runtime/device-runner.js';
import { Admission } from './admission.js';
import { AUDIT_MESSAGE_CHARS, auditedValue } from './audit.js';
import { RecentAnswers } from './recent-answers.js';
import { allowed, commandRequestSchema, type CommandAck, type CommandRequest, type CommandsConfig } from './schema.js';

export interface CommandRouterOptions {
  gatewayId: string;
  config: CommandsConfig;
  runners: ReadonlyMap<string, DeviceRunner>;
  drivers: ReadonlyMap<string, Driver>;
  /** Where the audit events go: the pipeline, and from there the journal and the feed. */
  audit: (event: DeviceEvent) => void;
  log: Logger;
  metrics?: Metrics;
}

/** Where a request came from. */
export interface CommandOrigin {
  /** The way it came, for the audit: `sink mqtt`, `http 10.0.0.5`. */
  from: string;
  /** The broker delivered it as a retained message: an old request replayed to a new subscriber. */
  retained?: boolean;
}

type Outcome = 'done' | 'failed' | 'refused' | 'duplicate' | 'busy';
type LineKind = 'done' | 'refused' | 'failed';

/**
 * Log lines a platform can cause, per kind and minute; beyond, one summary line a minute. Every
 * request is audited on the feed whatever the log shows.
 */
const LOG_LIMIT = { lines: 20, interval: 60_000 };

/** When a request arrived: `ts` on the wall clock (for the acknowledgement), `started` on the monotonic clock (for durations). */
interface Arrival {
  ts: number;
  started: number;
}

export class CommandRouter {
  private readonly stopping = new AbortController();
  private readonly recent: RecentAnswers;
  private readonly admission: Admission;
  private readonly counts: Record<Outcome, { value: number }> | undefined;
  /** Requests refused for the rate or the in-flight limit since the last one taken (logged and audited once per run). */
  private busyRun = 0;
  private readonly lines: LogLimiter<LineKind>;

  constructor(private readonly options: CommandRouterOptions) {
    const { config, metrics } = options;
    this.recent = new RecentAnswers(config.duplicateWindow);
    this.admission = new Admission(config.rate, config.maxInFlight);
    this.lines = new LogLimiter<LineKind>(options.log, LOG_LIMIT, () => 'the commands topic', undefined, {
      kinds: { done: 'commands done', refused: 'commands refused', failed: 'commands failed' },
      countedIn: 'the audit events on the feed and sensegate_commands_total',
    });
    if (metrics) {
      const counter = metrics.counter('sensegate_commands_total', 'Command requests by outcome: done, failed, refused, duplicate (answered again, not run), busy (over rate or maxInFlight).');
      this.counts = {
        done: counter.bind({ outcome: 'done' }),
        failed: counter.bind({ outcome: 'failed' }),
        refused: counter.bind({ outcome: 'refused' }),
        duplicate: counter.bind({ outcome: 'duplicate' }),
        busy: counter.bind({ outcome: 'busy' }),
      };
    }
  }

  get enabled(): boolean {
    return this.options.config.allow.length > 0;
  }

  /** Handles one raw request (a message payload) and returns its acknowledgement. Never throws. */
  async handle(payload: string | Buffer, origin: CommandOrigin | string = 'mqtt'): Promise<CommandAck> {
    const { from, retained = false } = typeof origin === 'string' ? { from: origin } : origin;
    // The wall clock stamps the acknowledgement; the monotonic one measures `took` and the replay window.
    const at: Arrival = { ts: Date.now(), started: performance.now() };
    const bytes = Buffer.byteLength(payload);
    if (bytes > this.options.config.maxRequestBytes) {
      const error = rejected(`a request of ${bytes} bytes exceeds commands.maxRequestBytes (${this.options.config.maxRequestBytes}); it was not read`);
      const ack = this.refusal(at, {}, error);
      this.record({}, ack, from, { bytes, sha256: sha256(payload.toString()) });
      return ack;
    }
    let partial: Partial<CommandRequest> = {};
    let request: CommandRequest;
    try {
      const json = parseJson(payload);
      partial = pickIds(json);
      if (retained) throw rejected('a retained request is never run: the broker replays it to every new subscriber (publish commands without the retain flag)');
      request = this.parse(json);
    } catch (err) {
      const ack = this.refusal(at, partial, toSensegateError(err));
      this.record(partial, ack, from, retained ? { retained: true } : {});
      return ack;
    }
    const earlier = this.recent.find(request.id, at.started);
    if (earlier) return this.duplicate(request, earlier, from);
    const answer = this.answer(at, request, from);
    this.recent.remember(request.id, answer, at.started);
    return answer;
  }

  /** Aborts commands in flight and writes the last log summary; called on shutdown. */
  stop(): void {
    this.stopping.abort(new SensegateError('SG_NOT_CONNECTED', 'the gateway is stopping'));
    this.lines.close();
  }

  private async answer(at: Arrival, request: CommandRequest, from: string): Promise<CommandAck> {
    try {
      this.checkFresh(request, at.ts);
    } catch (err) {
      const ack = this.refusal(at, request, toSensegateError(err));
      this.record(request, ack, from);
      return ack;
    }
    const busy = this.admission.enter(at.started);
    if (busy) return this.busy(at, request, from, busy);
    if (this.busyRun > 0) {
      this.lines.write({ kind: 'refused', level: 'info', message: `taking command requests again after refusing ${this.busyRun} over the limits` });
      this.busyRun = 0;
    }
    try {
      const result = await this.run(request);
      const ack = this.ack(at, request, { ok: true, ...(result === undefined ? {} : { result }) });
      this.record(request, ack, from);
      return ack;
    } catch (err) {
      const ack = this.refusal(at, request, toSensegateError(err, { device: request.device }));
      this.record(request, ack, from);
      return ack;
    } finally {
      this.admission.leave();
    }
  }

  /** A request over the rate or the in-flight limit: answered (retryable) and counted; logged and audited once per run of them. */
  private busy(at: Arrival, request: CommandRequest, from: string, reason: string): CommandAck {
    const ack = this.ack(at, request, { ok: false, error: { code: 'SG_COMMAND_REJECTED', message: `not run: ${reason}`, retryable: true } });
    if (this.counts) this.counts.busy.value++;
    if (this.busyRun++ === 0) this.record(request, ack, from, {}, 'refusing requests until the load drops (logged once until one is taken)');
    return ack;
  }

  private async duplicate(request: CommandRequest, earlier: Promise<CommandAck>, from: string): Promise<CommandAck> {
    const first = await earlier;
    if (this.counts) this.counts.duplicate.value++;
    this.options.log.debug({ command: request.id, device: request.device, from }, `request ${request.id} was answered before: answering again, not running it again`);
    return { ...first, duplicate: true };
  }

  private checkFresh(request: CommandRequest, now: number): void {
    if (request.expires !== undefined && now > request.expires) {
      throw rejected(`the request expired ${now - request.expires} ms ago (expires ${new Date(request.expires).toISOString()})`, request);
    }
    const maxAge = this.options.config.maxAge;
    if (request.ts !== undefined && now - request.ts > maxAge) {
      throw rejected(`the request is ${now - request.ts} ms old (sent ${new Date(request.ts).toISOString()}), more than commands.maxAge (${maxAge} ms)`, request);
    }
  }

  private parse(json: unknown): CommandRequest {
    const parsed = commandRequestSchema.safeParse(json);
    if (!parsed.success) {
      const problems = describeZodError(parsed.error).map((p) => (p.path.length ? `${p.path.join('.')}: ${p.message}` : p.message));
      throw rejected(`invalid command request: ${problems.join('; ')}`);
    }
    return parsed.data;
  }

  private async run(request: CommandRequest): Promise<unknown> {
    const { config, runners, drivers } = this.options;
    const target = request.command !== undefined ? `${request.device}:${request.command}` : `${request.device}/${request.point}`;
    if (!allowed(config.allow, target)) throw rejected(`"${target}" is not on the gateway's commands.allow list`, request);
    const runner = runners.get(request.device);
    if (!runner) throw rejected(`no device "${request.device}" in this gateway`, request);
    const signal = AbortSignal.any([
      this.stopping.signal,
      AbortSignal.timeout(Math.min(request.timeout ?? config.timeout, config.timeout)),
    ]);
    const instance = runner.instance;
    if (request.command !== undefined) {
      const driver = drivers.get(runner.config.driver);
      const spec = driver?.commands?.[request.command];
      if (!spec || !instance.command) {
        const known = Object.keys(driver?.commands ?? {});
        throw rejected(
          `device ${request.device} (${runner.config.driver}) has no command "${request.command}"` +
            (known.length ? `; it has ${known.join(', ')}` : '; its driver has no commands'),
          request,
        );
      }
      const args = spec.args.strict().safeParse(request.args ?? {});
      if (!args.success) {
        const problems = describeZodError(args.error, ['args']).map((p) => `${p.path.join('.')}: ${p.message}`);
        throw rejected(`${request.command}: ${problems.join('; ')}`, request);
      }
      return abortable(instance.command(runner.ref, request.command, args.data, signal), signal).catch(timeoutOr(signal, target));
    }
    const point = runner.ref.points.find((p) => p.id === request.point);
    if (!point) throw rejected(`device ${request.device} has no point "${request.point}"`, request);
    if (!point.spec.writable) throw rejected(`point ${target} is not writable (set \`writable: true\` on it to allow writes)`, request);
    if (!instance.write) throw rejected(`the ${runner.config.driver} driver cannot write points`, request);
    try {
      await abortable(instance.write(runner.ref, point, request.value as Value), signal).catch(timeoutOr(signal, target));
    } catch (err) {
      // A write cut short by shutdown says nothing about the device.
      if (!this.stopping.signal.aborted) runner.wrote(toSensegateError(err, { device: request.device }));
      throw err;
    }
    runner.wrote(undefined);
    return undefined;
  }

  private refusal(at: Arrival, request: Partial<CommandRequest>, error: SensegateError): CommandAck {
    return this.ack(at, request, { ok: false, error: { code: error.code, message: clip(error.message, AUDIT_MESSAGE_CHARS), retryable: error.retryable } });
  }

  private ack(at: Arrival, request: Partial<CommandRequest>, outcome: Pick<CommandAck, 'ok' | 'result' | 'error'>): CommandAck {
    return {
      v: 1,
      type: 'ack',
      gateway: this.options.gatewayId,
      ...(request.id !== undefined ? { id: request.id } : {}),
      ...(request.device !== undefined ? { device: request.device } : {}),
      ...(request.command !== undefined ? { command: request.command } : {}),
      ...(request.point !== undefined ? { point: request.point } : {}),
      ...outcome,
      ts: at.ts,
      took: Math.round(performance.now() - at.started),
    };
  }

  /** Every command is logged and audited in the feed, refused ones included. */
  private record(request: Partial<CommandRequest>, ack: CommandAck, from: string, extra: Record<string, unknown> = {}, note?: string): void {
    const what = request.command ?? (request.point !== undefined ? `write ${request.point}` : 'command');
    const known = request.device !== undefined && this.options.runners.has(request.device);
    const type = ack.ok ? 'command.done' : ack.error?.code === 'SG_COMMAND_REJECTED' ? 'command.refused' : 'command.failed';
    if (this.counts) this.counts[ack.ok ? 'done' : type === 'command.refused' ? 'refused' : 'failed'].value++;
    const message = clip(
      ack.ok
        ? `${what} on ${request.device} done in ${ack.took} ms`
        : `${what}${request.device ? ` on ${request.device}` : ''} ${type === 'command.refused' ? 'refused' : 'failed'}: ${ack.error?.message}${note ? `; ${note}` : ''}`,
      AUDIT_MESSAGE_CHARS,
    );
    this.lines.write({
      kind: ack.ok ? 'done' : type === 'command.refused' ? 'refused' : 'failed',
      peer: from,
      level: ack.ok ? 'info' : 'warn',
      fields: { command: request.id, device: request.device, from, code: ack.error?.code },
      message,
    });
    this.options.audit({
      type,
      ts: ack.ts,
      ...(known ? { device: request.device } : {}),
      ...(known && request.point !== undefined ? { point: request.point } : {}),
      severity: ack.ok ? 'info' : 'warning',
      message,
      data: {
        ...(request.id !== undefined ? { id: request.id } : {}),
        ...(request.command !== undefined ? { command: request.command, ...auditedValue('args', request.args ?? {}) } : {}),
        ...(request.point !== undefined ? auditedValue('value', request.value ?? null) : {}),
        ...(ack.error ? { code: ack.error.code } : {}),
        ...extra,
        from,
        took: ack.took,
      },
    });
  }
}

function rejected(message: string, request?: CommandRequest): SensegateError {
  return new SensegateError('SG_COMMAND_REJECTED', message, request ? { device: request.device, ...(request.point ? { point: request.point } : {}) } : {});
}

function parseJson(payload: string | Buffer): unknown {
  try {
    return JSON.parse(payload.toString());
  } catch (err) {
    throw rejected(`a command request must be a JSON object: ${(err as Error).message}`);
  }
}

/** The request's id and target, when present, so that even a refused request's ack says what it refused. */
function pickIds(json: unknown): Partial<CommandRequest> {
  if (typeof json !== 'object' || json === null) return {};
  const r = json as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === 'string' && v.length <= 128 ? v : undefined);
  const out: Partial<CommandRequest> = {};
  if (text(r.id)) out.id = text(r.id)!;
  if (text(r.device)) out.device = text(r.device)!;
  if (text(r.command)) out.command = text(r.command)!;
  if (text(r.point)) out.point = text(r.point)!;
  return out;
}

/** Turns the timeout signal's abort into SG_REQUEST_TIMEOUT naming the target; other errors pass. */
function timeoutOr(signal: AbortSignal, target: string) {
  return (err: unknown): never => {
    if (signal.aborted && err === signal.reason && !(err instanceof SensegateError)) {
      throw new SensegateError('SG_REQUEST_TIMEOUT', `${target} did not finish in time`, { retryable: true });
    }
    throw err;
  };
}
