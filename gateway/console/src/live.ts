/**
 * The live feed: one EventSource on /api/v1/stream per subscriber, filtered by device, handing
 * readings batches and events to the page.
 *
 * Invariants: it reconnects by itself. The browser retries a dropped connection (the server asks for
 * 2 s) and sends `Last-Event-ID`, so no recent event is missed; when the server refuses the stream
 * (503, too many clients; 401, signed out) the browser gives up, and this opens a new one after 5 s.
 * `close()` ends it for good. The page shows `state` so a user knows whether what they see is live.
 */

export interface LiveReading {
  device: string;
  point: string;
  ts: number;
  value: unknown;
  quality: 'good' | 'uncertain' | 'bad';
  status?: string;
  unit?: string;
}

export interface GatewayEvent {
  id: number;
  type: string;
  ts: number;
  device?: string;
  point?: string;
  severity: 'info' | 'warning' | 'critical';
  message: string;
  data?: Record<string, unknown>;
}

export type LiveState = 'connecting' | 'live' | 'reconnecting';

export interface LiveOptions {
  /** Only these devices; none: every device. */
  devices?: string[];
  readings?: boolean;
  events?: boolean;
  onReadings?(batch: LiveReading[]): void;
  onEvent?(event: GatewayEvent): void;
  onState?(state: LiveState): void;
}

const REOPEN_AFTER = 5_000;

export function openLive(options: LiveOptions): { close(): void } {
  const query = new URLSearchParams();
  if (options.devices?.length) query.set('device', options.devices.join(','));
  query.set('readings', options.readings === false ? '0' : '1');
  query.set('events', options.events === false ? '0' : '1');
  const url = `/api/v1/stream?${query}`;
  let source: EventSource | undefined;
  let reopen: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  const open = () => {
    options.onState?.('connecting');
    const es = new EventSource(url, { withCredentials: true });
    source = es;
    es.onopen = () => options.onState?.('live');
    es.onerror = () => {
      if (closed) return;
      if (es.readyState === EventSource.CLOSED) {
        options.onState?.('reconnecting');
        reopen = setTimeout(open, REOPEN_AFTER);
      } else {
        options.onState?.('reconnecting');
      }
    };
    es.addEventListener('readings', (m) => {
      try {
        options.onReadings?.(JSON.parse((m as MessageEvent<string>).data) as LiveReading[]);
      } catch {
        // a message cut by a dropped connection: the next batch carries the values again
      }
    });
    es.addEventListener('event', (m) => {
      try {
        options.onEvent?.(JSON.parse((m as MessageEvent<string>).data) as GatewayEvent);
      } catch {
        // as above
      }
    });
  };
  open();
  return {
    close() {
      closed = true;
      clearTimeout(reopen);
      source?.close();
    },
  };
}
