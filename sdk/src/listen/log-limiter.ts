/**
 * A listener's log lines about what peers do, limited across connections. Episodes keep one peer
 * from repeating itself; they cannot keep thousands of short connections from each starting an
 * episode of their own, which on a box with flash storage is a disk-filling attack. So every line
 * a peer can cause goes through here: per kind, at most `lines` are written per `interval`; the
 * rest are counted (by kind and distinct peer) and, once the interval is over, summed up in one
 * line. Every line left out is also counted in the listener's metrics.
 *
 * Every message and string field is passed through `printable` on the way out: a line can quote
 * what a peer sent without the peer being able to start a line of its own.
 */
import type { Logger } from '../logger.js';
import { printable } from './printable.js';

/** What a line is about; the limit applies per kind. */
export type LineKind = 'malformed' | 'refused' | 'connection' | 'closed' | 'dropped' | 'error';

const KIND_NAMES: Readonly<Record<LineKind, string>> = {
  malformed: 'malformed data',
  refused: 'refused frames',
  connection: 'refused connections',
  closed: 'closed connections',
  dropped: 'dropped messages',
  error: 'internal errors',
};

export interface LogLimit {
  /** Lines of one kind written per interval. */
  lines: number;
  /** ms. */
  interval: number;
}

export interface LimitedLine<K extends string = LineKind> {
  kind: K;
  /** The peer the line is about, counted in the summary. */
  peer?: string;
  level?: 'info' | 'warn' | 'error';
  fields?: Record<string, unknown>;
  message: string;
  /** Where to write it (a station's logger), else the listener's. */
  log?: Logger;
}

/** Distinct peers remembered per kind and interval; beyond, the summary says "more than". */
const MAX_PEERS = 10_000;
const MAX_MESSAGE = 1000;
const MAX_FIELD = 300;

interface KindCount {
  written: number;
  suppressed: number;
  peers: Set<string>;
}

export interface LogLimiterOptions<K extends string> {
  /** How the summary names each kind of line (default: the listener's kinds). */
  kinds?: Readonly<Record<K, string>>;
  /** Where every event is counted, for the summary (default: the listener metrics). */
  countedIn?: string;
}

/**
 * Listeners use it with their line kinds; any other source of lines that outsiders can cause (the
 * platform's command requests) uses it with kinds of its own and says where events are counted.
 */
export class LogLimiter<K extends string = LineKind> {
  private counts = new Map<K, KindCount>();
  private window: NodeJS.Timeout | undefined;
  private windowLength = 0;
  private readonly kindNames: Readonly<Record<string, string>>;
  private readonly countedIn: string;

  constructor(
    private readonly log: Logger,
    private limit: LogLimit,
    /** Where the lines come from, for the summary (asked when it is written: the port may be bound late). */
    private readonly where: () => string,
    private readonly onSuppressed: (kind: K) => void = () => {},
    options: LogLimiterOptions<K> = {},
  ) {
    this.kindNames = options.kinds ?? KIND_NAMES;
    this.countedIn = options.countedIn ?? 'the sensegate_listener_* metrics';
  }

  configure(limit: LogLimit): void {
    this.limit = limit;
  }

  /** Writes the line if its kind has lines left in this interval; true if it was written. */
  write(line: LimitedLine<K>): boolean {
    if (!this.window) this.open();
    let count = this.counts.get(line.kind);
    if (!count) this.counts.set(line.kind, (count = { written: 0, suppressed: 0, peers: new Set() }));
    if (count.written < this.limit.lines) {
      count.written++;
      const fields = line.fields ? safeFields(line.fields) : {};
      (line.log ?? this.log)[line.level ?? 'warn'](fields, printable(line.message, MAX_MESSAGE));
      return true;
    }
    count.suppressed++;
    if (line.peer !== undefined && count.peers.size <= MAX_PEERS) count.peers.add(line.peer);
    this.onSuppressed(line.kind);
    return false;
  }

  /** Ends the interval now: writes the summary of what was left out, if anything was. */
  flush(): void {
    if (this.window) clearTimeout(this.window);
    this.window = undefined;
    const counts = this.counts;
    this.counts = new Map();
    const parts: string[] = [];
    const kinds: Record<string, { lines: number; addresses: number }> = {};
    let total = 0;
    for (const [kind, count] of counts) {
      if (count.suppressed === 0) continue;
      total += count.suppressed;
      const peers = count.peers.size > MAX_PEERS ? `more than ${MAX_PEERS} addresses` : count.peers.size === 1 ? '1 address' : `${count.peers.size} addresses`;
      parts.push(`${count.suppressed} ${this.kindNames[kind] ?? kind}${count.peers.size > 0 ? ` from ${peers}` : ''}`);
      kinds[kind] = { lines: count.suppressed, addresses: count.peers.size };
    }
    if (total === 0) return;
    this.log.warn(
      { suppressed: total, kinds },
      `suppressed ${total} log lines on ${this.where()} in the last ${formatInterval(this.windowLength)}: ${parts.join(', ')}; every event is counted in ${this.countedIn}`,
    );
  }

  /** Writes the last summary and stops the timer. */
  close(): void {
    this.flush();
  }

  private open(): void {
    this.windowLength = this.limit.interval;
    this.window = setTimeout(() => this.flush(), this.windowLength);
    this.window.unref?.();
  }
}

function safeFields(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) out[key] = typeof value === 'string' ? printable(value, MAX_FIELD) : value;
  return out;
}

function formatInterval(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms >= 1000 && ms % 1000 === 0) return `${ms / 1000} s`;
  return `${ms} ms`;
}
