/**
 * What the API and the console show of the feed as it happens: the latest reading of every point,
 * a short numeric history per point for trends, the recent events, and the subscribers of the live
 * stream. It sits beside the journal on the feed (a tee), so it sees exactly what is journaled.
 *
 * Everything here is bounded and cheap on the hot path: a reading is one map update and, once per
 * `history.interval` per point, one slot written in a preallocated ring; an event is one slot in a
 * ring. Live subscribers are told of changed points at most once per flush tick (see live-stream.ts),
 * never once per reading, so a fast site costs them the same as a slow one.
 */
import type { DeviceEvent, Reading } from '@sensegate/sdk';
import type { Feed } from '../runtime/feed-writer.js';
import type { PointNormalizer } from '../runtime/normalize.js';

export interface LiveOptions {
  /** Samples kept per numeric point. */
  historySamples: number;
  /** At most one sample per this many ms per point; a later reading in the same interval replaces it. */
  historyInterval: number;
  /** Recent events kept. */
  events: number;
}

/** A point's trend: oldest first. */
export interface History {
  ts: number[];
  value: number[];
  /** Per sample: the worst quality of the readings it stands for. */
  quality: Array<Reading['quality']>;
}

const QUALITY: Array<Reading['quality']> = ['good', 'uncertain', 'bad'];
const QUALITY_INDEX: Record<Reading['quality'], number> = { good: 0, uncertain: 1, bad: 2 };

/**
 * A point's numeric history in a ring that grows by doubling up to its bound, so a point that was
 * read twice costs two samples, not the bound.
 */
class Ring {
  private ts: Float64Array;
  private values: Float64Array;
  private quality: Uint8Array;
  private start = 0;
  private size = 0;

  constructor(private readonly bound: number) {
    const length = Math.min(8, bound);
    this.ts = new Float64Array(length);
    this.values = new Float64Array(length);
    this.quality = new Uint8Array(length);
  }

  /** Adds a sample, or replaces the newest when it is within `interval` ms of it. */
  add(ts: number, value: number, quality: number, interval: number): void {
    if (this.size > 0) {
      const last = (this.start + this.size - 1) % this.ts.length;
      if (ts >= this.ts[last]! && ts - this.ts[last]! < interval) {
        this.values[last] = value;
        this.quality[last] = Math.max(this.quality[last]!, quality);
        return;
      }
    }
    if (this.size === this.ts.length && this.size < this.bound) this.grow();
    const at = (this.start + this.size) % this.ts.length;
    this.ts[at] = ts;
    this.values[at] = value;
    this.quality[at] = quality;
    if (this.size < this.ts.length) this.size++;
    else this.start = (this.start + 1) % this.ts.length;
  }

  read(since = -Infinity): History {
    const out: History = { ts: [], value: [], quality: [] };
    for (let i = 0; i < this.size; i++) {
      const at = (this.start + i) % this.ts.length;
      if (this.ts[at]! < since) continue;
      out.ts.push(this.ts[at]!);
      out.value.push(this.values[at]!);
      out.quality.push(QUALITY[this.quality[at]!]!);
    }
    return out;
  }

  private grow(): void {
    const length = Math.min(this.bound, this.ts.length * 2);
    const ts = new Float64Array(length);
    const values = new Float64Array(length);
    const quality = new Uint8Array(length);
    for (let i = 0; i < this.size; i++) {
      const from = (this.start + i) % this.ts.length;
      ts[i] = this.ts[from]!;
      values[i] = this.values[from]!;
      quality[i] = this.quality[from]!;
    }
    this.ts = ts;
    this.values = values;
    this.quality = quality;
    this.start = 0;
  }
}

interface PointState {
  latest: Reading;
  ring: Ring | undefined;
}

/** Told which points changed and which events arrived since the last flush. */
export interface LiveListener {
  readings(changed: ReadonlyArray<Reading>): void;
  event(event: DeviceEvent & { id: number }): void;
}

export class LiveView implements Feed {
  private readonly points = new Map<string, Map<string, PointState>>();
  private readonly recent: Array<DeviceEvent & { id: number }> = [];
  private eventId = 0;
  private readonly listeners = new Set<LiveListener>();
  /** Points changed since the last flush, for live listeners only (empty and unused when there are none). */
  private readonly changed = new Map<string, Reading>();
  private flushTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly next: Feed,
    private readonly options: LiveOptions,
    /** How often live listeners hear of changed points, ms. */
    private readonly flushEvery = 500,
  ) {}

  reading(reading: Reading, point: PointNormalizer): void {
    this.next.reading(reading, point);
    let device = this.points.get(reading.device);
    if (!device) this.points.set(reading.device, (device = new Map()));
    let state = device.get(reading.point);
    if (!state) device.set(reading.point, (state = { latest: reading, ring: undefined }));
    else state.latest = reading;
    if (this.options.historySamples > 0 && typeof reading.value === 'number' && Number.isFinite(reading.value)) {
      state.ring ??= new Ring(this.options.historySamples);
      state.ring.add(reading.ts, reading.value, QUALITY_INDEX[reading.quality] ?? 2, this.options.historyInterval);
    }
    if (this.listeners.size > 0) this.changed.set(`${reading.device}\u0000${reading.point}`, reading);
  }

  event(event: DeviceEvent): void {
    this.next.event(event);
    const entry = { ...event, id: ++this.eventId };
    this.recent.push(entry);
    if (this.recent.length > this.options.events) this.recent.shift();
    for (const l of this.listeners) l.event(entry);
  }

  /** The latest reading of each point of a device (or undefined for a device that produced none yet). */
  latest(device: string): ReadonlyMap<string, Reading> | undefined {
    const points = this.points.get(device);
    if (!points) return undefined;
    return new Map([...points].map(([id, s]) => [id, s.latest]));
  }

  latestOf(device: string, point: string): Reading | undefined {
    return this.points.get(device)?.get(point)?.latest;
  }

  history(device: string, point: string, since?: number): History | undefined {
    const state = this.points.get(device)?.get(point);
    if (!state) return undefined;
    return state.ring?.read(since) ?? { ts: [], value: [], quality: [] };
  }

  /** Recent events, oldest first, optionally those after an id (for a client catching up). */
  events(after = 0): Array<DeviceEvent & { id: number }> {
    return this.recent.filter((e) => e.id > after);
  }

  subscribe(listener: LiveListener): () => void {
    this.listeners.add(listener);
    this.flushTimer ??= setInterval(() => this.flush(), this.flushEvery);
    this.flushTimer.unref();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) {
        clearInterval(this.flushTimer);
        this.flushTimer = undefined;
        this.changed.clear();
      }
    };
  }

  get subscribers(): number {
    return this.listeners.size;
  }

  stop(): void {
    clearInterval(this.flushTimer);
    this.flushTimer = undefined;
    this.listeners.clear();
  }

  private flush(): void {
    if (this.changed.size === 0) return;
    const batch = [...this.changed.values()];
    this.changed.clear();
    for (const l of this.listeners) l.readings(batch);
  }
}
