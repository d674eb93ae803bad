/**
 * Events and alarms, live: the recent events (`GET /api/v1/events`), then each new one from the
 * stream as it happens, newest first; filtered by device, least severity and type (`alarm.` for
 * alarms). Active alarms are listed above the events. The filters live in the hash
 * (`#/events?device=pump-1&severity=warning&type=alarm.`), so a filtered list can be bookmarked.
 *
 * Invariants: at most `KEEP` events are held; an event is never shown twice (ids are unique in a
 * run of the gateway, and the stream resends missed ones after a reconnect).
 */
import { useEffect, useState } from 'preact/hooks';
import { api, ApiFailure } from '../api.js';
import { Failure } from '../components/failure.js';
import { SeverityBadge } from '../components/state-badge.js';
import { Table } from '../components/table.js';
import { ago, clock, value as formatValue } from '../format.js';
import { useNow, usePolled } from '../hooks.js';
import { openLive, type GatewayEvent, type LiveState } from '../live.js';
import type { Alarm, DeviceSummary } from '../types.js';
import type { PageProps } from './index.js';

const KEEP = 500;
const RANK = { info: 0, warning: 1, critical: 2 } as const;
const TYPES = [
  ['', 'any type'],
  ['alarm.', 'alarms'],
  ['device.', 'device states'],
  ['command', 'commands'],
  ['api.', 'console and API access'],
] as const;

function setQuery(next: Record<string, string>): void {
  const q = new URLSearchParams(location.hash.split('?')[1] ?? '');
  for (const [k, v] of Object.entries(next)) {
    if (v) q.set(k, v);
    else q.delete(k);
  }
  const s = q.toString();
  history.replaceState(null, '', `#/events${s ? `?${s}` : ''}`);
  dispatchEvent(new HashChangeEvent('hashchange'));
}

export function EventsPage({ query }: PageProps) {
  const device = query.get('device') ?? '';
  const severity = (query.get('severity') ?? '') as keyof typeof RANK | '';
  const type = query.get('type') ?? '';
  const [events, setEvents] = useState<GatewayEvent[]>([]);
  const [error, setError] = useState<ApiFailure | undefined>();
  const [live, setLive] = useState<LiveState>('connecting');
  const devices = usePolled<DeviceSummary[]>('/api/v1/devices', 0);
  const alarms = usePolled<Alarm[]>('/api/v1/alarms', 2_000);
  const now = useNow();

  useEffect(() => {
    let stopped = false;
    const add = (list: GatewayEvent[]) =>
      setEvents((old) => {
        const seen = new Set(old.map((e) => e.id));
        const fresh = list.filter((e) => !seen.has(e.id));
        if (!fresh.length) return old;
        return [...old, ...fresh].sort((a, b) => b.id - a.id).slice(0, KEEP);
      });
    const q = new URLSearchParams({ limit: String(KEEP) });
    if (device) q.set('device', device);
    api<GatewayEvent[]>(`/api/v1/events?${q}`)
      .then((list) => !stopped && add(list))
      .catch((err: unknown) => !stopped && setError(err instanceof ApiFailure ? err : new ApiFailure(0, 'CONSOLE', (err as Error).message)));
    const stream = openLive({ devices: device ? [device] : [], readings: false, onState: setLive, onEvent: (e) => add([e]) });
    return () => {
      stopped = true;
      stream.close();
      setEvents([]);
    };
  }, [device]);

  const shown = events.filter((e) => (!severity || RANK[e.severity] >= RANK[severity]) && (!type || e.type.startsWith(type)));
  const activeAlarms = (alarms.data ?? []).filter((a) => !device || a.device === device);
  return (
    <section class="events">
      <h1>Events and alarms</h1>
      <h2>Active alarms</h2>
      <Failure error={alarms.error} what="The alarms" />
      {alarms.data && (
        <Table
          label="Active alarms"
          rows={activeAlarms}
          rowKey={(a) => `${a.device}/${a.point}`}
          empty="No alarm is active."
          columns={[
            { label: 'device', cell: (a) => <a href={`#/devices/${encodeURIComponent(a.device)}`}>{a.device}</a> },
            { label: 'point', cell: (a) => a.point },
            { label: 'level', cell: (a) => (typeof a.level === 'string' ? <SeverityBadge severity={a.level} /> : typeof a.severity === 'string' ? <SeverityBadge severity={a.severity} /> : '–') },
            { label: 'value', class: 'num', cell: (a) => formatValue(a.value) },
            { label: 'since', cell: (a) => (typeof a.since === 'number' ? ago(a.since, now) : '–') },
          ]}
        />
      )}
      <h2>
        Events <span class={`live-state ${live}`}>{live === 'live' ? 'live' : live}</span>
      </h2>
      <div class="filters" role="search">
        <label>
          Device
          <select value={device} onChange={(e) => setQuery({ device: (e.target as HTMLSelectElement).value })}>
            <option value="">every device</option>
            {(devices.data ?? []).map((d) => (
              <option value={d.id}>{d.id}</option>
            ))}
            {device && !(devices.data ?? []).some((d) => d.id === device) && <option value={device}>{device}</option>}
          </select>
        </label>
        <label>
          Severity
          <select value={severity} onChange={(e) => setQuery({ severity: (e.target as HTMLSelectElement).value })}>
            <option value="">any</option>
            <option value="warning">warning and critical</option>
            <option value="critical">critical</option>
          </select>
        </label>
        <label>
          Type
          <select value={type} onChange={(e) => setQuery({ type: (e.target as HTMLSelectElement).value })}>
            {TYPES.map(([v, label]) => (
              <option value={v}>{label}</option>
            ))}
            {type && !TYPES.some(([v]) => v === type) && <option value={type}>{type}</option>}
          </select>
        </label>
        <span class="muted count-line">
          {shown.length} of {events.length}
        </span>
      </div>
      <Failure error={error} what="The events" />
      {shown.length === 0 ? (
        <p class="muted empty">{events.length ? 'No event matches the filter.' : 'No events yet.'}</p>
      ) : (
        <ul class="event-list" aria-label="Events">
          {shown.map((e) => (
            <li key={e.id} data-type={e.type} data-severity={e.severity}>
              <span class="when" title={clock(e.ts)}>
                {clock(e.ts).slice(11)} <span class="muted">({ago(e.ts, now)})</span>
              </span>
              <SeverityBadge severity={e.severity} />
              <span class="message">
                {e.device && (
                  <a href={`#/devices/${encodeURIComponent(e.device)}`}>
                    {e.device}
                    {e.point ? `/${e.point}` : ''}
                  </a>
                )}{' '}
                {e.message} <span class="type">{e.type}</span>
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
