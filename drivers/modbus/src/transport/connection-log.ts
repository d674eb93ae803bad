/**
 * The log lines of one endpoint's connection: connected, lost (with the reason), attempts that
 * failed, reconnected, closed. One line per state change, except when the connection flaps: a
 * device that drops the connection again soon after each reconnect (a crashing gateway, a device
 * that closes after every request, a hostile one) would otherwise write two lines per cycle, all
 * day. So:
 * - the first loss of an episode is a warning, its reconnect an info line, as for any outage;
 * - a second loss within `stableMs` of reconnecting says, once, that the connection keeps
 *   dropping; later losses and reconnects of the episode go to debug, and are counted;
 * - a running episode is summed up every `summaryEveryMs`, and when the connection has held for
 *   `stableMs` again (or is closed), one line closes it with the count;
 * - an outage gets one warning: its loss, or the first failed attempt when there was no connection;
 *   later failed attempts are debug lines.
 */
import type { Logger, SensegateError } from '@sensegate/sdk';

export interface ConnectionLogSettings {
  /** A connection that holds this long ends a flapping episode (default 30 s). */
  stableMs: number;
  /** A flapping episode is summed up at least this often (default 10 min). */
  summaryEveryMs: number;
}

const DEFAULTS: ConnectionLogSettings = { stableMs: 30_000, summaryEveryMs: 600_000 };

interface Episode {
  since: number;
  losses: number;
  lastSummaryAt: number;
  lastReason: string;
}

export class ConnectionLog {
  private everConnected = false;
  private warnedAttempt = false;
  private connectedAt = 0;
  private episode: Episode | undefined;
  private stableTimer: NodeJS.Timeout | undefined;
  private readonly settings: ConnectionLogSettings;

  constructor(
    private readonly name: string,
    private log: Logger,
    settings: Partial<ConnectionLogSettings> = {},
  ) {
    this.settings = { ...DEFAULTS, ...settings };
  }

  /** Devices joined or left: later lines go to the new logger. */
  retune(log: Logger): void {
    this.log = log;
  }

  private get flapping(): boolean {
    return this.episode !== undefined && this.episode.losses > 1;
  }

  connected(attempts: number): void {
    this.connectedAt = performance.now();
    const fields = { endpoint: this.name, attempts };
    const message = this.everConnected || attempts > 1 ? `reconnected to ${this.name} after ${attempts} attempt${attempts === 1 ? '' : 's'}` : `connected to ${this.name}`;
    if (this.flapping) this.log.debug(fields, message);
    else this.log.info(fields, message);
    this.everConnected = true;
    this.warnedAttempt = false;
    if (this.episode) {
      clearTimeout(this.stableTimer);
      this.stableTimer = setTimeout(() => this.endEpisode(`has held for ${seconds(this.settings.stableMs)} again`), this.settings.stableMs);
      this.stableTimer.unref();
    }
  }

  lost(error: SensegateError, retryIn: number): void {
    clearTimeout(this.stableTimer);
    // The loss is this outage's warning: attempts that fail after it are debug lines.
    this.warnedAttempt = true;
    const now = performance.now();
    const fields = { endpoint: this.name, code: error.code, retryIn };
    const message = `${error.message}; reconnecting in ${retryIn} ms`;
    const episode = this.episode;
    if (episode && now - this.connectedAt < this.settings.stableMs) {
      episode.losses++;
      episode.lastReason = error.message;
      if (episode.losses === 2) {
        this.log.warn(
          { ...fields, losses: episode.losses },
          `${message}. The connection to ${this.name} keeps dropping soon after it is made; further losses are logged at debug level and summed up every ${minutes(this.settings.summaryEveryMs)}`,
        );
      } else {
        this.log.debug(fields, message);
        if (now - episode.lastSummaryAt >= this.settings.summaryEveryMs) {
          episode.lastSummaryAt = now;
          this.summarize(episode, 'and keeps dropping', 'warn');
        }
      }
      return;
    }
    if (episode) this.endEpisode('held for a while before this loss');
    this.episode = { since: now, losses: 1, lastSummaryAt: now, lastReason: error.message };
    this.log.warn(fields, message);
  }

  /** A connection attempt failed: the first of an outage is a warning, the rest (and all while flapping) debug. */
  attemptFailed(error: SensegateError, retryIn: number): void {
    const fields = { endpoint: this.name, code: error.code, retryIn };
    const message = `${error.message}; retrying in ${retryIn} ms`;
    if (this.warnedAttempt || this.flapping) this.log.debug(fields, message);
    else this.log.warn(fields, message);
    this.warnedAttempt = true;
  }

  closed(wasOpen: boolean): void {
    clearTimeout(this.stableTimer);
    this.endEpisode('was closed');
    if (wasOpen) this.log.info({ endpoint: this.name }, `closed the connection to ${this.name}`);
  }

  private endEpisode(how: string): void {
    const episode = this.episode;
    this.episode = undefined;
    if (episode && episode.losses > 1) this.summarize(episode, how, 'info');
  }

  private summarize(episode: Episode, how: string, level: 'info' | 'warn'): void {
    const span = Math.round(performance.now() - episode.since);
    this.log[level](
      { endpoint: this.name, losses: episode.losses, seconds: Math.round(span / 1000) },
      `the connection to ${this.name} was lost ${episode.losses} times in ${minutes(span)} (last: ${episode.lastReason}) ${how}`,
    );
  }
}

function seconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Math.round(ms / 1000)} s`;
}

function minutes(ms: number): string {
  return ms < 60_000 ? seconds(ms) : `${Math.round(ms / 60_000)} min`;
}
