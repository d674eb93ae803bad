/**
 * Where normalized readings and events enter the durable feed. Everything a device produces, polled
 * or pushed, passes here on its way into the journal, and here every entry is held to the journal's
 * entry bound (see feed/entry-bound.ts): an oversized one is journaled in its smaller form, counted,
 * and logged once per device and point (or event type) until the gateway restarts.
 */
import type { DeviceEvent, Logger, Reading } from '@sensegate/sdk';
import { ENTRY_TOO_LARGE, exceedsBytes, oversizedEvent, oversizedReading } from '../feed/entry-bound.js';
import type { Journal } from '../journal/journal.js';
import type { Metrics } from '../metrics.js';
import type { PointNormalizer } from './normalize.js';

/** What devices write to: the journal in a running gateway, nothing in a dry run (`validate`, `plan`). */
export interface Feed {
  reading(reading: Reading, point: PointNormalizer): void;
  event(event: DeviceEvent): void;
}

/** A feed that keeps nothing, for commands that prepare devices without running them. */
export const discardFeed: Feed = { reading() {}, event() {} };

/** Distinct sources of oversized entries remembered for the once-only log line; beyond, they log no more. */
const MAX_WARNED = 1024;

export interface FeedWriterOptions {
  /** Bound on one entry's JSON, UTF-8 bytes (`journal.maxEntryBytes`). */
  maxEntryBytes: number;
  log: Logger;
}

export class FeedWriter implements Feed {
  private readonly readingsIn;
  private readonly eventsIn;
  private readonly oversized;
  private readonly warned = new Set<string>();

  constructor(
    private readonly journal: Journal,
    metrics: Metrics,
    private readonly options: FeedWriterOptions,
  ) {
    this.readingsIn = metrics.counter('sensegate_readings_total', 'Readings written to the journal, all devices together, after the edge pipeline (per device before it: sensegate_device_readings_total).').bind();
    this.eventsIn = metrics.counter('sensegate_events_total', 'Events produced and written to the journal.').bind();
    const oversized = metrics.counter('sensegate_entries_oversized_total', 'Entries larger than journal.maxEntryBytes, journaled in their smaller form.');
    this.oversized = { reading: oversized.bind({ kind: 'reading' }), event: oversized.bind({ kind: 'event' }) };
  }

  reading(reading: Reading, point: PointNormalizer): void {
    let json = point.json(reading);
    if (exceedsBytes(json, this.options.maxEntryBytes)) {
      this.oversized.reading.value++;
      this.warn(`${reading.device}/${reading.point}`, json, `a value of point ${reading.point} of device ${reading.device}`, `it is journaled without its value, quality bad, status ${ENTRY_TOO_LARGE}`);
      json = point.json(oversizedReading(reading));
    }
    this.journal.append('reading', json);
    this.readingsIn.value++;
  }

  event(event: DeviceEvent): void {
    let json: string;
    try {
      json = JSON.stringify(event);
    } catch (err) {
      // A driver's details that are not JSON (a BigInt, a cycle) must not cost the event.
      json = JSON.stringify({ ...event, data: { excerpt: `details not serializable: ${(err as Error).message}` } });
    }
    if (exceedsBytes(json, this.options.maxEntryBytes)) {
      this.oversized.event.value++;
      const source = `${event.device ?? 'gateway'}:${String(event.type).slice(0, 64)}`;
      this.warn(source, json, `a ${String(event.type).slice(0, 64)} event${event.device ? ` of device ${event.device}` : ''}`, 'it is journaled with an excerpt of its details and the size and sha256 of the whole');
      json = JSON.stringify(oversizedEvent(event, json));
    }
    this.journal.append('event', json);
    this.eventsIn.value++;
  }

  private warn(source: string, json: string, what: string, outcome: string): void {
    if (this.warned.has(source) || this.warned.size >= MAX_WARNED) return;
    this.warned.add(source);
    this.options.log.warn(
      { code: ENTRY_TOO_LARGE, bytes: Buffer.byteLength(json, 'utf8'), maxEntryBytes: this.options.maxEntryBytes },
      `${what} is ${Buffer.byteLength(json, 'utf8')} bytes, more than journal.maxEntryBytes (${this.options.maxEntryBytes}): ${outcome} (logged once per source)`,
    );
  }
}
