/**
 * One connection to a Modbus endpoint (a TCP device, a serial server, a serial port), shared by
 * every device on it, with the queue of requests for it.
 *
 * - Connects on first use; after a failure or loss it waits (sdk RetryTimer) and reconnects with a new
 *   link. While waiting, requests fail at once with retryable SG_NOT_CONNECTED.
 * - Modbus TCP carries up to `maxInFlight` requests at once (answers matched by transaction id);
 *   RTU buses carry one at a time, with the unit id in each request.
 * - Each request has its device's timeout. After a timeout the device's other requests of the same
 *   poll fail at once (PollRound), so a dead unit costs its bus one timeout per poll. On RTU the
 *   unit that timed out then stays quiet for one more timeout, so that its late answer cannot be
 *   taken for the answer to its next request; other units go ahead meanwhile.
 * - One log line per state change: connected, lost (with the reason), reconnecting in N ms; a
 *   connection that keeps dropping is summed up instead (connection-log.ts).
 */
import { RetryTimer, SensegateError, type BackoffSettings, type Logger } from '@sensegate/sdk';
import { connectError, lostError, requestError, timeoutError } from '../protocol/modbus-errors.js';
import { ConnectionLog } from './connection-log.js';
import { describeEndpoint, type EndpointSettings } from './endpoint-settings.js';
import { openLink, type Link } from './link.js';
import type { ReadResult } from './modbus-client.js';
import type { PollRound, RequestJob } from './request-job.js';

export type EndpointState = 'idle' | 'connecting' | 'open' | 'waiting' | 'closed';

export interface EndpointTuning {
  /** Requests on the wire at once (1 on RTU). */
  maxInFlight: number;
  /** Pause after an answer before the next request, in ms. */
  gap: number;
  connectTimeout: number;
  reconnect: BackoffSettings;
}

export class Endpoint {
  readonly name: string;
  private stateNow: EndpointState = 'idle';
  private link: Link | undefined;
  private opening: Promise<void> | undefined;
  private readonly queue: RequestJob[] = [];
  private readonly onWire = new Set<RequestJob>();
  private readonly quietUntil = new Float64Array(256);
  private quietEnd = 0;
  private nextSendAt = 0;
  private wakeTimer: NodeJS.Timeout | undefined;
  private wakeAtTime = 0;
  private readonly retry: RetryTimer;
  /** While waiting: what every request fails with. */
  private notConnected: SensegateError | undefined;
  private attempts = 0;
  private readonly connectionLog: ConnectionLog;
  private pumping = false;
  private pumpAgain = false;
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(
    readonly settings: EndpointSettings,
    private tuning: EndpointTuning,
    log: Logger,
  ) {
    this.name = describeEndpoint(settings);
    this.retry = new RetryTimer(tuning.reconnect);
    this.connectionLog = new ConnectionLog(this.name, log);
  }

  get state(): EndpointState {
    return this.stateNow;
  }

  /** Devices joined or left: new limits apply from the next request, new backoff from the next outage. */
  retune(tuning: EndpointTuning, log: Logger): void {
    this.tuning = tuning;
    this.connectionLog.retune(log);
    if (this.stateNow !== 'waiting') this.retry.configure(tuning.reconnect);
    this.pump();
  }

  submit(job: RequestJob): void {
    switch (this.stateNow) {
      case 'closed':
        job.finish(new SensegateError('SG_NOT_CONNECTED', `${job.label}: the connection to ${this.name} is closed`, { device: job.device }), undefined);
        return;
      case 'waiting':
        job.finish(this.notConnected!, undefined);
        return;
      case 'idle':
        this.queue.push(job);
        this.connect();
        return;
      default:
        this.queue.push(job);
        this.pump();
    }
  }

  /** Fails the queued requests of a poll that was abandoned (its batch was aborted). */
  cancelRound(round: PollRound, error: SensegateError): void {
    round.failure ??= error;
    for (let i = this.queue.length - 1; i >= 0; i--) {
      const job = this.queue[i]!;
      if (job.round === round) {
        this.queue.splice(i, 1);
        job.finish(error, undefined);
      }
    }
  }

  /** Runs `task` after every earlier task with the same key (read-modify-write of one register). */
  exclusive<T>(key: string, task: () => Promise<T>): Promise<T> {
    const before = this.locks.get(key) ?? Promise.resolve();
    const run = before.then(task, task);
    const tail = run.then(
      () => {},
      () => {},
    );
    this.locks.set(key, tail);
    void tail.then(() => {
      if (this.locks.get(key) === tail) this.locks.delete(key);
    });
    return run;
  }

  async close(): Promise<void> {
    if (this.stateNow === 'closed') return;
    const wasOpen = this.stateNow === 'open';
    this.stateNow = 'closed';
    this.retry.cancel();
    clearTimeout(this.wakeTimer);
    const error = new SensegateError('SG_NOT_CONNECTED', `the connection to ${this.name} was closed (driver stopped or device removed)`);
    this.failAll(error);
    const link = this.link;
    this.link = undefined;
    if (link) await link.destroy();
    // A connection attempt still in flight destroys its link itself once it sees the state.
    await this.opening;
    this.connectionLog.closed(wasOpen);
  }

  private connect(): void {
    this.stateNow = 'connecting';
    this.attempts++;
    this.opening = openLink(this.settings, this.tuning.connectTimeout).then(
      (link) => this.connected(link),
      (err: unknown) => this.connectFailed(err),
    );
  }

  private async connected(link: Link): Promise<void> {
    if (this.stateNow === 'closed') {
      await link.destroy();
      return;
    }
    this.link = link;
    this.stateNow = 'open';
    link.onLost((reason, cause) => this.lost(link, reason, cause));
    this.connectionLog.connected(this.attempts);
    this.attempts = 0;
    this.retry.succeeded();
    this.notConnected = undefined;
    this.pump();
  }

  private connectFailed(err: unknown): void {
    if (this.stateNow === 'closed') return;
    this.wait(connectError(err, this.name, this.tuning.connectTimeout), 'connect');
  }

  private lost(link: Link, reason: string, cause: unknown): void {
    if (this.stateNow !== 'open' || this.link !== link) return;
    this.link = undefined;
    void link.destroy();
    this.wait(lostError(this.name, reason, cause), 'lost');
  }

  /** Fails what is pending with `error` and schedules the next attempt. */
  private wait(error: SensegateError, after: 'connect' | 'lost'): void {
    this.stateNow = 'waiting';
    const delay = this.retry.schedule(() => {
      if (this.stateNow === 'waiting') this.connect();
    });
    // One error object for every request refused until the next attempt: failing fast allocates nothing.
    this.notConnected = new SensegateError('SG_NOT_CONNECTED', `not connected to ${this.name}: ${error.message}; reconnecting with backoff`, { cause: error });
    this.failAll(error);
    if (after === 'lost') this.connectionLog.lost(error, delay);
    else this.connectionLog.attemptFailed(error, delay);
  }

  private failAll(error: SensegateError): void {
    const onWire = [...this.onWire];
    this.onWire.clear();
    const queued = this.queue.splice(0, this.queue.length);
    for (const job of onWire) {
      clearTimeout(job.timer);
      job.finish(error, undefined);
    }
    for (const job of queued) job.finish(error, undefined);
  }

  private pump(): void {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        this.drain();
      } while (this.pumpAgain);
    } finally {
      this.pumping = false;
    }
  }

  private drain(): void {
    while (this.stateNow === 'open' && this.onWire.size < this.tuning.maxInFlight && this.queue.length > 0) {
      const now = performance.now();
      if (now < this.nextSendAt) {
        this.wakeAt(this.nextSendAt);
        return;
      }
      const job = this.takeReady(now);
      if (!job) return;
      if (job.round?.failure) job.finish(job.round.failure, undefined);
      else this.send(job);
    }
  }

  /** The next job to send: the oldest, skipping units that must stay quiet after a timeout. */
  private takeReady(now: number): RequestJob | undefined {
    const queue = this.queue;
    if (now >= this.quietEnd) return queue.shift();
    let earliest = Infinity;
    for (let i = 0; i < queue.length; i++) {
      const job = queue[i]!;
      const until = this.quietUntil[job.unitId]!;
      if (until <= now || job.round?.failure) {
        queue.splice(i, 1);
        return job;
      }
      if (until < earliest) earliest = until;
    }
    this.wakeAt(earliest);
    return undefined;
  }

  private wakeAt(time: number): void {
    if (this.wakeTimer && this.wakeAtTime <= time) return;
    clearTimeout(this.wakeTimer);
    this.wakeAtTime = time;
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = undefined;
      this.pump();
    }, Math.max(0, time - performance.now()));
  }

  private send(job: RequestJob): void {
    const link = this.link!;
    const client = link.client;
    this.onWire.add(job);
    job.timer = setTimeout(() => this.timedOut(job), job.timeout);
    const done = (err: Error | null, result: unknown) => this.answered(job, err, result as ReadResult | undefined);
    const { unitId, address } = job;
    try {
      switch (job.functionCode) {
        case 1:
          client.writeFC1(unitId, address, job.count, done);
          break;
        case 2:
          client.writeFC2(unitId, address, job.count, done);
          break;
        case 3:
          client.writeFC3(unitId, address, job.count, done);
          break;
        case 4:
          client.writeFC4(unitId, address, job.count, done);
          break;
        case 5:
          client.writeFC5(unitId, address, job.payload() as boolean, done);
          break;
        case 6:
          client.writeFC6(unitId, address, job.payload() as number, done);
          break;
        case 15:
          client.writeFC15(unitId, address, job.payload() as boolean[], done);
          break;
        case 16:
          client.writeFC16(unitId, address, job.payload() as Buffer, done);
          break;
      }
    } catch (err) {
      this.answered(job, err as Error, undefined);
    }
  }

  private answered(job: RequestJob, err: Error | null, result: ReadResult | undefined): void {
    if (!this.onWire.delete(job)) return; // already timed out, or failed with the connection
    clearTimeout(job.timer);
    if (this.tuning.gap > 0) this.nextSendAt = performance.now() + this.tuning.gap;
    if (err) job.finish(requestError(err, job.label, job.device), undefined);
    else job.finish(undefined, result?.buffer);
    this.pump();
  }

  private timedOut(job: RequestJob): void {
    if (!this.onWire.delete(job)) return;
    const now = performance.now();
    const rtu = this.link?.rtu;
    if (rtu) {
      rtu.expectNothing();
      const until = now + job.timeout;
      this.quietUntil[job.unitId] = until;
      if (until > this.quietEnd) this.quietEnd = until;
    }
    if (this.tuning.gap > 0) this.nextSendAt = now + this.tuning.gap;
    // On Modbus TCP an answer that stopped halfway puts the stream out of step: the port then
    // closes the connection, and the requests still on it fail with the reason.
    this.link?.mbap?.requestTimedOut(job.timeout, now);
    const error = timeoutError(job.label, job.timeout, job.device);
    if (job.round) job.round.failure ??= error;
    job.finish(error, undefined);
    this.pump();
  }
}
