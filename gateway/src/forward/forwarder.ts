/**
 * Moves entries from the journal to one sink, at least once, in order within live and within
 * replayed data, and never letting a backlog hold fresh data back.
 *
 * - Live: every commit of the journal while the sink is connected goes out at once (packed into
 *   messages of at most `batch.maxEntries`), marked `historical: false`.
 * - Replay: what was committed but not acknowledged when the sink (re)connected, oldest first,
 *   marked `historical: true`, at most `replay.rate` entries per second and at most
 *   `replay.share` of the in-flight window, so live messages always find room.
 * - Acknowledgements may arrive out of order; the journal cursor advances over the contiguous
 *   prefix, and a later replay skips ranges that were already acknowledged.
 * - On a disconnect everything unacknowledged becomes backlog; nothing is dropped here (the
 *   journal's bounds are the only place data can be dropped, and they count it).
 * - What the endpoint refuses for good never holds the cursor: a refused message is split in
 *   halves and sent again, and an entry refused on its own moves to the journal's dead letters
 *   (kept, counted, logged once per episode) and is acknowledged for this sink. An endpoint that
 *   closes the connection instead of answering (an MQTT 3.1.1 broker over its packet limit) is
 *   recognised by the connection dying just after the same message was sent, twice: the
 *   forwarder then sends one message at a time, halving their size, until it finds what the
 *   endpoint takes; an entry that kills the connection twice when sent alone is dead-lettered.
 *   See poison.ts.
 * - A message not delivered this time (any other rejection) is sent again first, after a pause in
 *   which nothing else is sent, so an endpoint that takes one message at a time (`inFlight: 1`)
 *   receives the entries in order, with no gap, across its transient errors.
 */
import { toSensegateError, type Logger } from '@sensegate/sdk';
import type { JournalBlock, OutboundMessage } from '../feed/entry.js';
import type { Journal } from '../journal/journal.js';
import type { HistogramSeries, Metrics, Series } from '../metrics.js';
import type { SinkInstance as Sink } from '@sensegate/sdk';
import { AckTracker } from './acks.js';
import { BacklogAge } from './backlog-age.js';
import { pack, slicePiece, type Piece } from './items.js';
import type { ForwardOptions } from './options.js';
import { PoisonWatch, isRefusedForGood } from './poison.js';

export interface ForwarderOptions {
  journal: Journal;
  sink: Sink;
  options: ForwardOptions & { maxMessageBytes?: number };
  log: Logger;
  metrics: Metrics;
}

/** Entries read from the journal per replay read. */
const REPLAY_READ_ENTRIES = 20_000;
/** Delay before a message the endpoint refused is tried again. */
const RETRY_DELAY = 1000;
/** Longest a graceful stop waits for in-flight messages. */
const DRAIN_TIMEOUT = 5000;

export class Forwarder {
  private readonly journal: Journal;
  private readonly sink: Sink;
  private readonly log: Logger;
  private readonly opts: ForwarderOptions['options'];
  private readonly poison: PoisonWatch;
  /** Messages sent and not yet settled, in the order they were sent. */
  private readonly flights = new Map<number, { piece: Piece; sentAt: number }>();
  private nextFlight = 0;
  /** Entries moved to the dead letters since the last message was delivered (logged once per episode). */
  private deadInEpisode = 0;
  private acks!: AckTracker;
  /** Increments at every connect and disconnect; completions from an older connection are ignored. */
  private generation = 0;
  private connected = false;
  private stopping = false;
  /** First sequence number sent live on this connection; earlier ones are replayed. */
  private liveFrom = Number.POSITIVE_INFINITY;
  private readonly live: Piece[] = [];
  private liveEntries = 0;
  private liveSince = 0;
  /** Messages that go before anything new: live ones the window had no room for, and refused ones. */
  private readonly ready: Array<Piece & { historical: boolean }> = [];
  private replayNext = 0;
  private replayEnd = -1;
  private replayTotal = 0;
  private replayStartedAt = 0;
  private replayBuffer: Piece[] = [];
  private reading = false;
  private tokens = 0;
  private tokensAt = 0;
  private inFlight = 0;
  private inFlightHistorical = 0;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = 0;
  private drained: (() => void) | undefined;
  private failureLogged = false;
  /** After a message was not delivered, nothing is sent before this time (performance.now()). */
  private retryAt = 0;

  /** When the oldest unacknowledged entry was committed, for the backlog's age. */
  private readonly backlogAge = new BacklogAge();
  private readonly stopCollecting: () => void;

  private readonly m: {
    liveMessages: Series;
    liveEntries: Series;
    historicalMessages: Series;
    historicalEntries: Series;
    liveDelivered: Series;
    historicalDelivered: Series;
    liveLatency: HistogramSeries;
    historicalLatency: HistogramSeries;
    failures: Series;
    backlog: Series;
    backlogAge: Series;
    inFlight: Series;
    cursor: Series;
    connected: Series;
    deadLetters: Series;
  };

  constructor(options: ForwarderOptions) {
    this.journal = options.journal;
    this.sink = options.sink;
    this.log = options.log;
    this.opts = options.options;
    this.poison = new PoisonWatch(options.options.maxMessageBytes ?? 256 * 1024, this.sink.name, options.log);
    const labels = { sink: this.sink.name };
    const metrics = options.metrics;
    const messages = metrics.counter('sensegate_sink_messages_total', 'Messages sent to a sink, live or historical (replayed).');
    const entries = metrics.counter('sensegate_sink_entries_total', 'Readings and events sent to a sink, live or historical (replayed).');
    const delivered = metrics.counter(
      'sensegate_sink_delivered_entries_total',
      'Readings and events the sink\'s endpoint acknowledged (MQTT PUBACK, JetStream ack, HTTP 2xx), live or historical; dead letters are not counted.',
    );
    const latency = metrics.histogram(
      'sensegate_sink_delivery_seconds',
      'Time from handing a message to the sink to its acknowledgement by the endpoint, in seconds, live or historical (the wait in the journal before it is sent is not included: see sensegate_sink_backlog_age_seconds).',
    );
    const mode = (m: 'live' | 'historical') => ({ ...labels, mode: m });
    this.m = {
      liveMessages: messages.bind(mode('live')),
      liveEntries: entries.bind(mode('live')),
      historicalMessages: messages.bind(mode('historical')),
      historicalEntries: entries.bind(mode('historical')),
      liveDelivered: delivered.bind(mode('live')),
      historicalDelivered: delivered.bind(mode('historical')),
      liveLatency: latency.bind(mode('live')),
      historicalLatency: latency.bind(mode('historical')),
      failures: metrics.counter('sensegate_sink_send_failures_total', 'Messages a connected sink could not deliver; they are retried.').bind(labels),
      backlog: metrics.gauge('sensegate_sink_backlog_entries', 'Entries committed to the journal and not yet acknowledged by the sink (last seq - cursor).').bind(labels),
      backlogAge: metrics
        .gauge(
          'sensegate_sink_backlog_age_seconds',
          'How long the oldest entry the sink has not had acknowledged has waited since its commit to the journal, in seconds (0 when caught up; exact to a second, never lower than the truth).',
        )
        .bind(labels),
      inFlight: metrics.gauge('sensegate_sink_in_flight', 'Messages sent and awaiting acknowledgement.').bind(labels),
      cursor: metrics.gauge('sensegate_sink_cursor', 'Sequence number up to which the sink acknowledged everything.').bind(labels),
      connected: metrics.gauge('sensegate_sink_connected', '1 while the sink is connected to its endpoint, else 0.').bind(labels),
      deadLetters: metrics
        .gauge('sensegate_sink_dead_letters', 'Dead letters the journal keeps for the sink now (`sensegate dead-letters --sink NAME` lists them).')
        .bind(labels),
    };
    this.stopCollecting = metrics.collect(() => {
      this.m.backlogAge.value = this.acks ? this.backlogAge.age(this.acks.cursor, performance.now()) / 1000 : 0;
      this.m.deadLetters.value = this.journal.deadLetterCount(this.sink.name);
    });
  }

  /** Opens the sink's journal cursor and follows the journal and the sink's connection. */
  async start(): Promise<void> {
    const cursor = await this.journal.openCursor(this.sink.name);
    this.acks = new AckTracker(cursor, this.journal.ackedRanges(this.sink.name));
    this.m.cursor.value = this.acks.cursor;
    this.updateBacklog();
    // A backlog from the last run has waited since at most the journal's oldest entry.
    if (this.backlog > 0) this.backlogAge.committed(this.journal.lastSeq, performance.now() - this.journal.oldestAge);
    this.m.connected.value = this.sink.connected ? 1 : 0;
    this.journal.on('commit', this.onCommit);
    this.sink.on('connect', this.onConnect);
    this.sink.on('disconnect', this.onDisconnect);
    if (this.sink.connected) this.onConnect();
  }

  /** Messages in flight at most: one at a time while the poison watch isolates a refused message. */
  private get window(): number {
    return this.poison.isolating ? 1 : this.opts.inFlight;
  }

  /** Bytes of entries per message: the configured bound, the endpoint's own when it said so, or what the poison watch learned. */
  private get messageBytes(): number {
    const limit = this.sink.messageLimit;
    return Math.min(this.poison.messageBytes, limit === undefined ? Number.POSITIVE_INFINITY : Math.max(1, limit));
  }

  /** Everything up to this sequence number was acknowledged by the sink. */
  get cursor(): number {
    return this.acks?.cursor ?? 0;
  }

  get backlog(): number {
    return Math.max(0, this.journal.lastSeq - this.cursor);
  }

  /** Messages sent and not yet acknowledged. */
  get pending(): number {
    return this.inFlight;
  }

  /**
   * Sends what is committed live and waits (a bounded time) for in-flight messages, then stops
   * following the journal. The backlog that was not replayed stays in the journal for next time.
   */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.pump();
    if (this.connected && (this.inFlight > 0 || this.live.length > 0 || this.ready.length > 0)) {
      await new Promise<void>((resolve) => {
        const timeout = setTimeout(resolve, DRAIN_TIMEOUT);
        this.drained = () => {
          clearTimeout(timeout);
          resolve();
        };
      });
    }
    this.journal.off('commit', this.onCommit);
    this.sink.off('connect', this.onConnect);
    this.sink.off('disconnect', this.onDisconnect);
    this.clearTimer();
    this.stopCollecting();
  }

  private readonly onCommit = (blocks: JournalBlock[]): void => {
    this.backlogAge.committed(this.journal.lastSeq, performance.now());
    this.updateBacklog();
    if (!this.connected) return;
    for (const b of blocks) {
      if (b.seq < this.liveFrom) continue; // committed before this connection: part of the replay
      if (this.live.length === 0) this.liveSince = performance.now();
      this.live.push({ kind: b.kind, seq: b.seq, count: b.count, items: b.payload });
      this.liveEntries += b.count;
    }
    this.pump();
  };

  private readonly onConnect = (): void => {
    if (this.connected) return;
    this.generation++;
    this.connected = true;
    this.m.connected.value = 1;
    this.failureLogged = false;
    this.liveFrom = this.journal.lastSeq + 1;
    this.replayNext = this.acks.nextUnacked(this.acks.cursor + 1);
    this.replayEnd = this.liveFrom - 1;
    this.replayBuffer = [];
    this.tokens = 0;
    this.tokensAt = performance.now();
    // Entries, not the span: what the endpoint already acknowledged and what the journal's bounds
    // dropped are not sent again.
    this.replayTotal = this.acks.unackedIn(Math.max(this.replayNext, this.journal.firstSeq), this.replayEnd);
    if (this.replayTotal > 0) {
      this.replayStartedAt = performance.now();
      this.log.info(
        { from: this.replayNext, to: this.replayEnd, entries: this.replayTotal, rate: this.opts.replay.rate },
        `sink ${this.sink.name}: replaying ${this.replayTotal} journaled entries (seq ${this.replayNext}..${this.replayEnd}) at up to ${this.opts.replay.rate}/s behind live data`,
      );
    }
    this.pump();
  };

  private readonly onDisconnect = (): void => {
    if (!this.connected) return;
    const verdict = this.poison.connectionLost([...this.flights.values()], performance.now());
    this.flights.clear();
    if (verdict) void this.deadLetter(verdict.piece, verdict.reason, this.generation + 1);
    this.generation++;
    this.connected = false;
    this.m.connected.value = 0;
    this.retryAt = 0;
    this.liveFrom = Number.POSITIVE_INFINITY;
    this.live.length = 0;
    this.liveEntries = 0;
    this.ready.length = 0;
    this.replayBuffer = [];
    this.inFlight = 0;
    this.inFlightHistorical = 0;
    this.m.inFlight.value = 0;
    this.clearTimer();
    this.drained?.();
  };

  /** Sends as much as the window, the replay rate and the batching rules allow. */
  private pump(): void {
    if (!this.connected) return;
    const pause = this.retryAt - performance.now();
    if (pause > 0) return this.wakeIn(pause);
    const window = this.window;
    const historicalWindow = Math.max(1, Math.floor(window * this.opts.replay.share));
    let wake = Number.POSITIVE_INFINITY;

    while (this.inFlight < window) {
      const first = this.ready.shift();
      if (first) {
        this.send(first, first.historical);
        continue;
      }
      if (this.live.length > 0) {
        const waited = performance.now() - this.liveSince;
        const hold = !this.stopping && this.opts.batch.maxDelay > 0 && this.liveEntries < this.opts.batch.maxEntries && waited < this.opts.batch.maxDelay;
        if (!hold) {
          for (const message of pack(this.live, this.opts.batch.maxEntries, this.messageBytes)) this.queueLive(message);
          this.live.length = 0;
          this.liveEntries = 0;
          continue;
        }
        wake = Math.min(wake, this.opts.batch.maxDelay - waited);
      }
      if (this.stopping || this.inFlightHistorical >= historicalWindow) break;
      const next = this.replayBuffer[0];
      if (!next) break;
      const tokens = this.refillTokens();
      if (tokens <= 0) {
        wake = Math.min(wake, Math.ceil(((1 - tokens) / this.opts.replay.rate) * 1000));
        break;
      }
      this.replayBuffer.shift();
      this.tokens -= next.count;
      this.send(next, true);
    }

    if (!this.stopping && this.replayBuffer.length === 0 && this.replayNext <= this.replayEnd && !this.reading) void this.readReplay();
    if (wake !== Number.POSITIVE_INFINITY) this.wakeIn(wake);
    this.checkReplayDone();
    if (this.stopping && this.inFlight === 0 && this.live.length === 0 && this.ready.length === 0) this.drained?.();
  }

  /** Live messages skip the replay: they are sent while the window has room, else go first when it has. */
  private queueLive(message: Piece): void {
    if (this.inFlight < this.window) this.send(message, false);
    else this.ready.push({ ...message, historical: false });
  }

  private refillTokens(): number {
    const now = performance.now();
    const rate = this.opts.replay.rate;
    const burst = Math.max(1, rate / 5);
    this.tokens = Math.min(burst, this.tokens + ((now - this.tokensAt) / 1000) * rate);
    this.tokensAt = now;
    return this.tokens;
  }

  private send(piece: Piece, historical: boolean): void {
    const generation = this.generation;
    const message: OutboundMessage = { kind: piece.kind, seq: piece.seq, count: piece.count, historical, items: piece.items };
    this.inFlight++;
    if (historical) this.inFlightHistorical++;
    this.m.inFlight.value = this.inFlight;
    if (historical) {
      this.m.historicalMessages.value++;
      this.m.historicalEntries.value += piece.count;
    } else {
      this.m.liveMessages.value++;
      this.m.liveEntries.value += piece.count;
    }
    const flight = this.nextFlight++;
    const sentAt = performance.now();
    this.flights.set(flight, { piece, sentAt });
    this.sink.send(message).then(
      () => {
        if (generation !== this.generation) return;
        this.flights.delete(flight);
        if (historical) {
          this.m.historicalLatency.observe((performance.now() - sentAt) / 1000);
          this.m.historicalDelivered.value += piece.count;
        } else {
          this.m.liveLatency.observe((performance.now() - sentAt) / 1000);
          this.m.liveDelivered.value += piece.count;
        }
        this.settled(historical);
        this.delivered(piece);
        this.pump();
      },
      (err: unknown) => {
        if (generation !== this.generation) return; // the connection went away: all of it is backlog now
        this.flights.delete(flight);
        this.settled(historical);
        if (isRefusedForGood(err)) return this.refused(piece, historical, err);
        this.m.failures.value++;
        if (!this.failureLogged) {
          this.failureLogged = true;
          const e = toSensegateError(err);
          this.log.warn(
            { seq: piece.seq, count: piece.count, err: e.toJSON() },
            `sink ${this.sink.name}: a message (seq ${piece.seq}, ${piece.count} entries) was not delivered: ${e.message}; retrying (logged once per connection)`,
          );
        }
        // First in line again, in sequence order, after a pause in which nothing else goes out.
        const at = this.ready.findIndex((r) => r.seq > piece.seq);
        this.ready.splice(at < 0 ? this.ready.length : at, 0, { ...piece, historical });
        this.retryAt = performance.now() + RETRY_DELAY;
        this.wakeIn(RETRY_DELAY);
      },
    );
  }

  /** The endpoint took a message. */
  private delivered(piece: Piece): void {
    this.acknowledge(piece.seq, piece.seq + piece.count - 1);
    if (this.deadInEpisode > 1) {
      this.log.info({ entries: this.deadInEpisode }, `sink ${this.sink.name}: ${this.deadInEpisode} entries were moved to the dead letters in that episode; delivering again`);
    }
    this.deadInEpisode = 0;
    this.poison.delivered(piece, this.acks.cursor);
  }

  /** The endpoint refused a message for good: halves are tried again, an entry alone goes to the dead letters. */
  private refused(piece: Piece, historical: boolean, err: unknown): void {
    if (piece.count > 1) {
      const half = Math.ceil(piece.count / 2);
      const last = piece.seq + piece.count - 1;
      this.ready.unshift({ ...slicePiece(piece, piece.seq, piece.seq + half - 1), historical }, { ...slicePiece(piece, piece.seq + half, last), historical });
      this.pump();
      return;
    }
    void this.deadLetter(piece, toSensegateError(err).message, this.generation);
  }

  /**
   * Keeps an entry the endpoint will not take in the journal's dead letters and moves the cursor
   * past it. If the journal cannot write it, the entry stays in line and is tried again.
   */
  private async deadLetter(piece: Piece, reason: string, generation: number): Promise<void> {
    try {
      await this.journal.deadLetter(this.sink.name, { kind: piece.kind, seq: piece.seq, json: piece.items }, reason);
    } catch (err) {
      const e = toSensegateError(err);
      this.log.error({ seq: piece.seq, err: e.toJSON() }, `sink ${this.sink.name}: cannot keep entry seq ${piece.seq} in the dead letters: ${e.message}; it stays in line`);
      return;
    }
    if (this.deadInEpisode++ === 0) {
      this.log.warn(
        { code: 'SG_MESSAGE_REFUSED', seq: piece.seq, kind: piece.kind, bytes: Buffer.byteLength(piece.items) },
        `sink ${this.sink.name}: the endpoint refused ${piece.kind} seq ${piece.seq} (${Buffer.byteLength(piece.items)} bytes) for good: ${reason}; ` +
          `it is kept in the journal's dead letters (sensegate dead-letters --sink ${this.sink.name}) and delivery goes on (logged once until a message is delivered)`,
      );
    }
    this.acknowledge(piece.seq, piece.seq);
    if (generation === this.generation) this.pump();
  }

  private settled(historical: boolean): void {
    this.inFlight--;
    if (historical) this.inFlightHistorical--;
    this.m.inFlight.value = this.inFlight;
  }

  private acknowledge(from: number, to: number): void {
    const moved = this.acks.ack(from, to);
    // The ranges above the cursor are saved with it, so a crash during a long replay does not send
    // again the live data delivered meanwhile.
    this.journal.ack(this.sink.name, this.acks.cursor, this.acks.pending());
    if (moved) {
      this.m.cursor.value = this.acks.cursor;
      this.backlogAge.acknowledged(this.acks.cursor);
      this.updateBacklog();
    }
  }

  /** Reads the next part of the backlog into replay messages, skipping what was already acknowledged. */
  private async readReplay(): Promise<void> {
    const generation = this.generation;
    this.reading = true;
    try {
      const from = this.replayNext;
      const end = this.replayEnd;
      const blocks = await this.journal.read(from, Math.min(REPLAY_READ_ENTRIES, end - from + 1));
      if (generation !== this.generation) return;
      const pieces: Piece[] = [];
      let next = from;
      for (const b of blocks) {
        if (next > end) break;
        const last = Math.min(end, b.seq + b.count - 1);
        if (last < next) continue;
        if (b.seq > next) {
          // The journal dropped these entries to stay within its bounds (it counted and logged
          // that); nothing is left to send, so the cursor moves past them.
          this.acknowledge(next, b.seq - 1);
          next = b.seq;
        }
        const piece: Piece = { kind: b.kind, seq: b.seq, count: b.count, items: b.payload };
        // Only the runs not yet acknowledged.
        let s = this.acks.nextUnacked(next);
        while (s <= last) {
          const e = this.acks.runEnd(s, last);
          pieces.push(slicePiece(piece, s, e));
          s = this.acks.nextUnacked(e + 1);
        }
        next = last + 1;
      }
      if (blocks.length === 0) {
        this.acknowledge(next, end); // everything left was dropped by the journal's bounds
        next = end + 1;
      }
      this.replayNext = next;
      const perMessage = Math.max(1, Math.min(this.opts.batch.maxEntries, Math.floor(this.opts.replay.rate / 10)));
      this.replayBuffer.push(...pack(pieces, perMessage, this.messageBytes));
    } catch (err) {
      if (generation !== this.generation) return;
      const e = toSensegateError(err);
      this.log.error({ err: e.toJSON() }, `sink ${this.sink.name}: cannot read the backlog from the journal: ${e.message}; retrying`);
      await new Promise((r) => setTimeout(r, RETRY_DELAY));
    } finally {
      this.reading = false;
      this.pump();
    }
  }

  private checkReplayDone(): void {
    if (this.replayTotal === 0 || this.replayNext <= this.replayEnd || this.replayBuffer.length > 0 || this.inFlightHistorical > 0) return;
    const seconds = (performance.now() - this.replayStartedAt) / 1000;
    this.log.info(
      { entries: this.replayTotal, seconds: Math.round(seconds * 10) / 10 },
      `sink ${this.sink.name}: backlog replayed (${this.replayTotal} entries in ${seconds.toFixed(1)} s)`,
    );
    this.replayTotal = 0;
  }

  private wakeIn(ms: number): void {
    const at = performance.now() + Math.max(1, ms);
    if (this.timer && this.timerAt <= at) return;
    this.clearTimer();
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.pump();
    }, Math.max(1, ms));
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private updateBacklog(): void {
    this.m.backlog.value = this.backlog;
  }
}
