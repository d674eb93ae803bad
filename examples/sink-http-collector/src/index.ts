/**
 * sensegate-sink-http-collector: POSTs every message of the feed, as one JSON document, to an HTTP
 * collector, and answers the gateway with what the collector answered:
 * - 2xx: delivered;
 * - 400, 403, 404, 409, 413, 415, 422 (the collector will never take this message): refused for
 *   good, so the gateway splits the message and keeps an entry refused on its own in its dead letters;
 * - anything else (5xx, 408, 429, a timeout, no answer): not delivered this time, sent again later.
 * HTTP has no connection to keep, so the sink counts as connected until a request gets no answer at
 * all; it then probes the collector with backoff and says it is connected again once it answers.
 */
import { Backoff, defineSink, duration, refused, secret, SensegateError, type OutboundMessage, type SinkContext, type SinkEvents, type SinkInstance } from '@sensegate/sdk';
import { EventEmitter } from 'node:events';
import { z } from 'zod';

/** Answers by which a collector says it will never take this message, whatever happens. */
const REFUSED_FOR_GOOD = new Set([400, 403, 404, 409, 413, 415, 422]);

const config = z
  .object({
    url: z
      .string()
      .regex(/^https?:\/\/\S+$/, 'an http:// or https:// URL, e.g. https://collector.city.example/ingest')
      .describe('The collector\'s URL; every message is POSTed to it as `application/json`.'),
    token: secret('Bearer token sent in the `Authorization` header.').optional(),
    timeout: duration('Time allowed for the collector to answer one message; past it, the message is sent again later.').default(10_000),
    maxMessageBytes: z.number().int().min(4096).default(1024 * 1024).describe('Largest message body in bytes; a batch is cut before it grows past this.'),
  })
  .strict();

type Config = z.output<typeof config>;

class HttpCollectorSink extends EventEmitter<SinkEvents> implements SinkInstance {
  readonly name: string;
  private readonly headers: Record<string, string>;
  private readonly backoff = new Backoff({ initialDelay: 500, maxDelay: 30_000 });
  private isConnected = false;
  private stopped = false;
  private probeTimer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<AbortController>();

  constructor(
    private readonly config: Config,
    private readonly context: SinkContext,
  ) {
    super();
    this.name = context.name;
    // Resolved here, so a missing secret stops the gateway at startup, naming the field.
    const token = config.token === undefined ? undefined : context.secret('token', config.token);
    this.headers = { 'content-type': 'application/json', ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) };
  }

  get connected(): boolean {
    return this.isConnected;
  }

  async start(): Promise<void> {
    this.up();
  }

  async send(message: OutboundMessage): Promise<void> {
    const body =
      `{"gateway":${JSON.stringify(this.context.gatewayId)},"seq":${message.seq},"historical":${message.historical},` +
      `"${message.kind === 'reading' ? 'readings' : 'events'}":[${message.items}]}`;
    const abort = new AbortController();
    this.inFlight.add(abort);
    const timer = setTimeout(() => abort.abort(new Error(`no answer within ${this.config.timeout} ms`)), this.config.timeout);
    let response: Response;
    try {
      response = await fetch(this.config.url, { method: 'POST', headers: this.headers, body, signal: abort.signal });
      await response.arrayBuffer().catch(() => undefined);
    } catch (err) {
      const reason = (abort.signal.reason as Error | undefined)?.message ?? (err as Error).message;
      this.down(reason);
      throw new SensegateError('SG_CONNECTION_LOST', `sink ${this.name}: ${this.config.url} did not answer: ${reason}`, { cause: err });
    } finally {
      clearTimeout(timer);
      this.inFlight.delete(abort);
    }
    if (response.ok) return;
    const answer = `${this.config.url} answered ${response.status} ${response.statusText}`.trim();
    if (REFUSED_FOR_GOOD.has(response.status)) throw refused(`sink ${this.name}: ${answer}`);
    throw new SensegateError('SG_SINK_REJECTED', `sink ${this.name}: ${answer}; sent again later`, { retryable: true });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.probeTimer);
    for (const abort of this.inFlight) abort.abort(new Error('sink stopped'));
    if (this.isConnected) {
      this.isConnected = false;
      this.emit('disconnect', 'stopped');
    }
  }

  private up(): void {
    if (this.stopped || this.isConnected) return;
    this.backoff.reset();
    this.isConnected = true;
    this.emit('connect');
  }

  /** The collector gave no answer: stop sending, and probe it until it answers anything. */
  private down(reason: string): void {
    if (!this.isConnected || this.stopped) return;
    this.isConnected = false;
    this.context.log.warn({ url: this.config.url, reason }, `sink ${this.name}: ${this.config.url} does not answer (${reason}); retrying with backoff, data is kept in the journal`);
    this.emit('disconnect', reason);
    this.probe();
  }

  private probe(): void {
    this.probeTimer = setTimeout(() => {
      fetch(this.config.url, { method: 'HEAD', signal: AbortSignal.timeout(this.config.timeout) }).then(
        () => this.up(),
        () => this.probe(),
      );
    }, this.backoff.next());
  }
}

export default defineSink({
  type: 'sensegate-sink-http-collector',
  version: '0.1.0',
  description: 'POST every message of the feed as JSON to an HTTP collector; a 2xx answer is a delivery, a 4xx refuses the message for good.',
  config,
  create: (settings, context) => new HttpCollectorSink(settings, context),
});
