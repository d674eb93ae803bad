/**
 * A device's connection state, derived from what its polls (or its push driver) report; a device
 * with nothing to read takes it from its writes instead. Only changes are logged and journaled as
 * `device.state` events: one line per change, never per poll.
 */
import type { DeviceState, Logger, SensegateError } from '@sensegate/sdk';
import type { Feed } from './feed-writer.js';

const CONNECTION_CODES = new Set(['SG_CONNECT_TIMEOUT', 'SG_CONNECT_REFUSED', 'SG_CONNECTION_LOST', 'SG_NOT_CONNECTED', 'SG_REQUEST_TIMEOUT']);
/** Writes refused before they reached the device (a value of the wrong type): they say nothing about it. */
const NOT_SENT_CODES = new Set(['SG_WRITE_REJECTED', 'SG_COMMAND_REJECTED', 'SG_NOT_SUPPORTED']);

export interface HealthSnapshot {
  state: DeviceState;
  since: number;
  reason?: string;
  code?: string;
  lastGoodAt?: number;
}

export class DeviceHealth {
  private current: HealthSnapshot = { state: 'starting', since: Date.now() };

  constructor(
    private readonly device: string,
    private readonly log: Logger,
    private readonly feed: Feed,
  ) {}

  get snapshot(): HealthSnapshot {
    return { ...this.current };
  }

  /** Derives the state from one poll: every point good, some bad, or all lost to a connection problem. */
  fromPoll(points: number, failures: number, firstError: SensegateError | undefined, at: number): void {
    if (failures < points) this.current.lastGoodAt = at;
    if (failures === 0) return this.report('online', undefined, at);
    const connectionLost = failures === points && firstError !== undefined && CONNECTION_CODES.has(firstError.code);
    this.report(connectionLost ? 'offline' : 'degraded', firstError, at);
  }

  /**
   * Derives the state from one write to a device that has nothing to read, the write being the only
   * contact with it: online when it went through, offline when the device could not be reached,
   * degraded when it answered with an error, unchanged when the write never left the gateway.
   */
  fromWrite(error: SensegateError | undefined, at: number): void {
    if (error && NOT_SENT_CODES.has(error.code)) return;
    if (!error) {
      this.current.lastGoodAt = at;
      return this.report('online', undefined, at);
    }
    this.report(CONNECTION_CODES.has(error.code) ? 'offline' : 'degraded', error, at);
  }

  report(state: DeviceState, reason: SensegateError | string | undefined, at = Date.now()): void {
    const code = typeof reason === 'object' ? reason.code : undefined;
    const text = typeof reason === 'object' ? reason.message : reason;
    const previous = this.current;
    // The same state with a different error code is a change worth one line (refused -> timeout).
    if (previous.state === state && previous.code === code) {
      // Why a device is still starting (nothing to poll yet) is kept for its status, not announced.
      if (text && previous.reason === undefined) this.current = { ...previous, reason: text };
      return;
    }
    this.current = { state, since: at, ...(text ? { reason: text } : {}), ...(code ? { code } : {}), ...(previous.lastGoodAt ? { lastGoodAt: previous.lastGoodAt } : {}) };
    const fields = { state, previous: previous.state, ...(code ? { code } : {}) };
    const message = `device ${this.device} ${state}${text ? `: ${text}` : ''}`;
    if (state === 'offline' || state === 'degraded') this.log.warn(fields, message);
    else this.log.info(fields, message);
    this.feed.event({
      type: 'device.state',
      ts: at,
      device: this.device,
      severity: state === 'offline' ? 'warning' : state === 'degraded' ? 'warning' : 'info',
      message,
      data: { state, previous: previous.state, ...(code ? { code } : {}), ...(text ? { reason: text } : {}) },
    });
  }
}
