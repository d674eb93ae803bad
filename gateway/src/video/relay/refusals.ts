/**
 * Every play or publish the relay refuses is counted (`sensegate_video_refused_total{action,reason}`)
 * and logged once per episode: the first refusal of a kind (action and reason) logs a warning naming
 * the client's address, the path and what to do; later ones of that kind are only counted until
 * none has come for `quietMs`, when one line sums the episode up (how many, from which addresses).
 * A kind that never goes quiet is summed up every `summaryEveryMs`. So a scanner opening thousands
 * of connections writes a handful of lines, not one per connection, and the counts stay exact.
 */
import type { Logger } from '@sensegate/sdk';
import type { Counter, Metrics } from '../../metrics.js';

export interface Refusal {
  /** `connect`: refused before it could ask for anything (connection limits, handshake deadline). */
  action: 'play' | 'publish' | 'connect';
  /** `rtmp`, `http-flv` or `ws-flv`. */
  protocol: string;
  /** The client's address (no port). */
  address: string;
  /** `<app>/<name>`, or empty for a connection refused before it named one. */
  path: string;
  /** A stable code for metrics. */
  reason: string;
  /** What was wrong and what to do, for the first log line of an episode. */
  explanation: string;
}

export interface RefusalLogOptions {
  metrics?: Metrics;
  /** An episode ends after this long without a refusal of its kind (default 60 s). */
  quietMs?: number;
  /** A running episode is summed up at least this often (default 10 min). */
  summaryEveryMs?: number;
}

/** Addresses named one by one in a summary; the rest are counted together. */
const NAMED_ADDRESSES = 5;
/** Addresses tracked per episode; beyond this they are counted as "others" (a spoofing scan stays bounded). */
const TRACKED_ADDRESSES = 64;

interface Episode {
  first: Refusal;
  startedAt: number;
  lastAt: number;
  lastSummaryAt: number;
  count: number;
  byAddress: Map<string, number>;
  untracked: number;
}

export class RefusalLog {
  private readonly episodes = new Map<string, Episode>();
  private readonly totals = new Map<string, number>();
  private readonly counter: Counter | undefined;
  private readonly quietMs: number;
  private readonly summaryEveryMs: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly log: Logger,
    options: RefusalLogOptions = {},
  ) {
    this.counter = options.metrics?.counter('sensegate_video_refused_total', 'Connections, plays and publishes the video relay refused, by action and reason.');
    this.quietMs = options.quietMs ?? 60_000;
    this.summaryEveryMs = options.summaryEveryMs ?? 600_000;
  }

  record(refusal: Refusal): void {
    const kind = `${refusal.action}:${refusal.reason}`;
    this.totals.set(kind, (this.totals.get(kind) ?? 0) + 1);
    this.counter?.inc({ action: refusal.action, reason: refusal.reason });
    const now = performance.now();
    let episode = this.episodes.get(kind);
    if (!episode) {
      episode = { first: refusal, startedAt: now, lastAt: now, lastSummaryAt: now, count: 0, byAddress: new Map(), untracked: 0 };
      this.episodes.set(kind, episode);
      this.log.warn(
        { action: refusal.action, reason: refusal.reason, protocol: refusal.protocol, remote: refusal.address, path: refusal.path },
        `video relay: refused to let ${refusal.address} ${refusal.action}${refusal.path ? ` ${refusal.path}` : ''} over ${protocolName(refusal.protocol)}: ${refusal.explanation}. ` +
          `Further refusals of this kind are counted (sensegate_video_refused_total) and summed up when they stop`,
      );
      this.arm();
    }
    episode.count++;
    episode.lastAt = now;
    const seen = episode.byAddress.get(refusal.address);
    if (seen !== undefined) episode.byAddress.set(refusal.address, seen + 1);
    else if (episode.byAddress.size < TRACKED_ADDRESSES) episode.byAddress.set(refusal.address, 1);
    else episode.untracked++;
  }

  /** Refusals so far, by `action:reason`. */
  counts(): Record<string, number> {
    return Object.fromEntries(this.totals);
  }

  /** Sums up the running episodes and stops the timer (the relay is stopping). */
  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    for (const episode of this.episodes.values()) this.summarize(episode, 'ended with the relay');
    this.episodes.clear();
  }

  private arm(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.tick(), Math.max(50, Math.min(this.quietMs, this.summaryEveryMs) / 2));
    this.timer.unref();
  }

  private tick(): void {
    const now = performance.now();
    for (const [kind, episode] of this.episodes) {
      if (now - episode.lastAt >= this.quietMs) {
        this.episodes.delete(kind);
        this.summarize(episode, `stopped (none for ${this.quietMs >= 1000 ? `${Math.round(this.quietMs / 1000)} s` : `${this.quietMs} ms`})`);
      } else if (now - episode.lastSummaryAt >= this.summaryEveryMs) {
        episode.lastSummaryAt = now;
        this.summarize(episode, 'still going on');
      }
    }
    if (this.episodes.size === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private summarize(episode: Episode, state: string): void {
    const { action, reason } = episode.first;
    const seconds = Math.max(1, Math.round((performance.now() - episode.startedAt) / 1000));
    const ranked = [...episode.byAddress].sort((a, b) => b[1] - a[1]);
    const named = ranked.slice(0, NAMED_ADDRESSES).map(([address, n]) => `${address} (${n})`);
    const rest = ranked.length - named.length;
    const more = episode.untracked > 0 ? ' and more addresses' : rest > 0 ? ` and ${rest} more address${rest === 1 ? '' : 'es'}` : '';
    const from = named.join(', ') + more;
    this.log.info(
      { action, reason, refused: episode.count, seconds, addresses: ranked.length, moreAddresses: episode.untracked > 0 },
      `video relay: ${episode.count} ${action} attempt${episode.count === 1 ? '' : 's'} refused (${reason}) in ${seconds} s, from ${from}; ${state}`,
    );
  }
}

function protocolName(protocol: string): string {
  return protocol === 'rtmp' ? 'RTMP' : protocol === 'ws-flv' ? 'WS-FLV' : protocol === 'http-flv' ? 'HTTP-FLV' : protocol;
}
