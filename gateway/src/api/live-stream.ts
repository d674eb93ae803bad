/**
 * The live stream (`GET /api/v1/stream`, Server-Sent Events): changed readings at most twice a
 * second, events as they happen, a comment every 15 s to keep proxies from closing the connection.
 *
 * A client costs the gateway a bounded amount whatever it does: at most `maxStreams` clients at once;
 * a batch is serialized once for all clients with the same filter; and a client that stops reading
 * (or reads slower than the site produces) is disconnected once `streamBuffer` bytes wait for it,
 * never buffered without end and never waited for. A client that reconnects with `Last-Event-ID` gets
 * the events it missed that are still among the recent ones.
 */
import type { ServerResponse } from 'node:http';
import type { DeviceEvent, Logger, Reading } from '@sensegate/sdk';
import { LogLimiter } from '@sensegate/sdk';
import type { LiveView } from './live.js';

export interface StreamFilter {
  /** Only these devices' readings and events; empty: every device. */
  devices: ReadonlySet<string>;
  readings: boolean;
  events: boolean;
}

export interface LiveStreamOptions {
  maxStreams: number;
  /** Bytes a client may fall behind by before it is disconnected. */
  streamBuffer: number;
  log: Logger;
  heartbeat?: number;
}

type Event = DeviceEvent & { id: number };

interface Client {
  res: ServerResponse;
  filter: StreamFilter;
  key: string;
  who: string;
}

const LOG_LIMIT = { lines: 10, interval: 60_000 };

export class LiveStreams {
  private readonly clients = new Set<Client>();
  private unsubscribe: (() => void) | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private readonly lines: LogLimiter<'dropped'>;
  /** Clients disconnected for falling behind, since start. */
  dropped = 0;

  constructor(
    private readonly live: LiveView,
    private readonly options: LiveStreamOptions,
  ) {
    this.lines = new LogLimiter<'dropped'>(options.log, LOG_LIMIT, () => 'the live stream', undefined, {
      kinds: { dropped: 'live-stream clients disconnected for falling behind' },
      countedIn: 'GET /api/v1/status',
    });
  }

  get count(): number {
    return this.clients.size;
  }

  get full(): boolean {
    return this.clients.size >= this.options.maxStreams;
  }

  /** Starts streaming to `res` (headers not yet sent). `lastEventId`: the last event the client saw. */
  open(res: ServerResponse, filter: StreamFilter, who: string, lastEventId?: number): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    const client: Client = { res, filter, key: filterKey(filter), who };
    this.clients.add(client);
    res.on('close', () => this.remove(client));
    res.on('error', () => this.remove(client));
    res.write(`retry: 2000\n\n`);
    // What the page shows at once: the latest reading of each point of the devices asked for.
    if (filter.readings && filter.devices.size > 0) {
      const now: Reading[] = [];
      for (const device of filter.devices) for (const r of this.live.latest(device)?.values() ?? []) now.push(r);
      if (now.length) this.send(client, `event: readings\ndata: ${JSON.stringify(now)}\n\n`);
    }
    if (filter.events && lastEventId !== undefined) {
      for (const e of this.live.events(lastEventId)) if (wants(filter, e.device)) this.send(client, eventMessage(e));
    }
    this.unsubscribe ??= this.live.subscribe({ readings: (batch) => this.readings(batch), event: (e) => this.event(e) });
    this.heartbeat ??= setInterval(() => {
      for (const c of this.clients) this.send(c, `: ${Date.now()}\n\n`);
    }, this.options.heartbeat ?? 15_000);
    this.heartbeat.unref();
  }

  /** Ends every stream (the gateway stops). */
  close(): void {
    for (const c of [...this.clients]) c.res.end();
    this.clients.clear();
    this.idle();
    this.lines.close();
  }

  private readings(batch: ReadonlyArray<Reading>): void {
    // One serialization per distinct filter, whatever the number of clients sharing it.
    const made = new Map<string, string | null>();
    for (const c of this.clients) {
      if (!c.filter.readings) continue;
      let message = made.get(c.key);
      if (message === undefined) {
        const mine = c.filter.devices.size === 0 ? batch : batch.filter((r) => c.filter.devices.has(r.device));
        message = mine.length ? `event: readings\ndata: ${JSON.stringify(mine)}\n\n` : null;
        made.set(c.key, message);
      }
      if (message) this.send(c, message);
    }
  }

  private event(e: Event): void {
    let message: string | undefined;
    for (const c of this.clients) {
      if (!c.filter.events || !wants(c.filter, e.device)) continue;
      message ??= eventMessage(e);
      this.send(c, message);
    }
  }

  private send(c: Client, message: string): void {
    if (c.res.destroyed) return this.remove(c);
    // Behind by more than the bound: what waits is not read. (One batch may exceed the bound on its own.)
    if (c.res.writableLength > this.options.streamBuffer) {
      this.dropped++;
      this.lines.write({
        kind: 'dropped',
        peer: c.who,
        fields: { client: c.who, waiting: c.res.writableLength },
        message: `live-stream client ${c.who} fell ${c.res.writableLength} bytes behind (api.streamBuffer ${this.options.streamBuffer}): disconnected; it may reconnect`,
      });
      this.remove(c);
      c.res.destroy();
      return;
    }
    c.res.write(message);
  }

  private remove(c: Client): void {
    if (!this.clients.delete(c)) return;
    if (this.clients.size === 0) this.idle();
  }

  private idle(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }
}

function wants(filter: StreamFilter, device: string | undefined): boolean {
  return filter.devices.size === 0 || (device !== undefined && filter.devices.has(device));
}

function filterKey(f: StreamFilter): string {
  return `${f.readings ? 'r' : ''}${f.events ? 'e' : ''}:${[...f.devices].sort().join(',')}`;
}

function eventMessage(e: Event): string {
  return `id: ${e.id}\nevent: event\ndata: ${JSON.stringify(e)}\n\n`;
}
