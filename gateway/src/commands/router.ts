/**
 * The command router: the one way commands reach devices. A request is parsed, checked against
 * the allow-list, validated against the driver's command schema (or the point's writability), run
 * with a timeout, audited as an event in the feed, and answered with an acknowledgement, whatever
 * happened. Nothing a platform sends can throw past this class.
 */
import {
  SensegateError,
  abortable,
  describeZodError,
  toSensegateError,
  type DeviceEvent,
  type Driver,
  type Logger,
  type Value,
} from '@sensegate/sdk';
import type { DeviceRunner } from '../runtime/device-runner.js';
import { allowed, commandRequestSchema, type CommandAck, type CommandRequest, type CommandsConfig } from './schema.js';

export interface CommandRouterOptions {
  gatewayId: string;
  config: CommandsConfig;
  runners: ReadonlyMap<string, DeviceRunner>;
  drivers: ReadonlyMap<string, Driver>;
  /** Where the audit events go: the pipeline, and from there the journal and the feed. */
  audit: (event: DeviceEvent) => void;
  log: Logger;
}

export class CommandRouter {
  private readonly stopping = new AbortController();

  constructor(private readonly options: CommandRouterOptions) {}

  get enabled(): boolean {
    return this.options.config.allow.length > 0;
  }

  /** Handles one raw request (a message payload) and returns its acknowledgement. Never throws. */
  async handle(payload: string | Buffer, from = 'mqtt'): Promise<CommandAck> {
    const ts = Date.now();
    let request: CommandRequest | undefined;
    let partial: Partial<CommandRequest> = {};
    try {
      const json = parseJson(payload);
      partial = pickIds(json);
      request = this.parse(json);
      const result = await this.run(request);
      const ack = this.ack(ts, request, { ok: true, ...(result === undefined ? {} : { result }) });
      this.record(request, ack, from);
      return ack;
    } catch (err) {
      const error = toSensegateError(err, partial.device ? { device: partial.device } : {});
      const ack = this.ack(ts, request ?? partial, {
        ok: false,
        error: { code: error.code, message: error.message, retryable: error.retryable },
      });
      this.record(request ?? partial, ack, from);
      return ack;
    }
  }

  /** Aborts commands in flight; called on shutdown. */
  stop(): void {
    this.stopping.abort(new SensegateError('SG_NOT_CONNECTED', 'the gateway is stopping'));
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
    await abortable(instance.write(runner.ref, point, request.value as Value), signal).catch(timeoutOr(signal, target));
    return undefined;
  }

  private ack(ts: number, request: Partial<CommandRequest>, outcome: Pick<CommandAck, 'ok' | 'result' | 'error'>): CommandAck {
    return {
      v: 1,
      type: 'ack',
      gateway: this.options.gatewayId,
      ...(request.id !== undefined ? { id: request.id } : {}),
      ...(request.device !== undefined ? { device: request.device } : {}),
      ...(request.command !== undefined ? { command: request.command } : {}),
      ...(request.point !== undefined ? { point: request.point } : {}),
      ...outcome,
      ts,
      took: Date.now() - ts,
    };
  }

  /** Every command is logged and audited in the feed, refused ones included. */
  private record(request: Partial<CommandRequest>, ack: CommandAck, from: string): void {
    const what = request.command ?? (request.point !== undefined ? `write ${request.point}` : 'command');
    const known = request.device !== undefined && this.options.runners.has(request.device);
    const type = ack.ok ? 'command.done' : ack.error?.code === 'SG_COMMAND_REJECTED' ? 'command.refused' : 'command.failed';
    const message = ack.ok
      ? `${what} on ${request.device} done in ${ack.took} ms`
      : `${what}${request.device ? ` on ${request.device}` : ''} ${type === 'command.refused' ? 'refused' : 'failed'}: ${ack.error?.message}`;
    this.options.log[ack.ok ? 'info' : 'warn']({ command: request.id, device: request.device, from, code: ack.error?.code }, message);
    this.options.audit({
      type,
      ts: ack.ts,
      ...(known ? { device: request.device } : {}),
      ...(known && request.point !== undefined ? { point: request.point } : {}),
      severity: ack.ok ? 'info' : 'warning',
      message,
      data: {
        ...(request.id !== undefined ? { id: request.id } : {}),
        ...(request.command !== undefined ? { command: request.command, args: request.args ?? {} } : {}),
        ...(request.point !== undefined ? { value: request.value ?? null } : {}),
        ...(ack.error ? { code: ack.error.code } : {}),
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
