/**
 * Devices: every device with its state (colour and word), why it is in it, its last error in words,
 * and when it last gave a good value; filtered by state and searched by id, name, driver or tag.
 * The filter lives in the hash (`#/devices?state=offline&q=pump`), so it survives a reload and can
 * be shared. Refreshed every 2 s, and at once when the live stream says a device changed state.
 */
import { useEffect } from 'preact/hooks';
import { Failure } from '../components/failure.js';
import { StateBadge } from '../components/state-badge.js';
import { Table } from '../components/table.js';
import { ago } from '../format.js';
import { useNow, usePolled } from '../hooks.js';
import { openLive } from '../live.js';
import type { DeviceSummary } from '../types.js';
import type { PageProps } from './index.js';

const STATES = ['online', 'degraded', 'offline', 'starting', 'stopped'] as const;

function setQuery(next: Record<string, string>): void {
  const q = new URLSearchParams(location.hash.split('?')[1] ?? '');
  for (const [k, v] of Object.entries(next)) {
    if (v) q.set(k, v);
    else q.delete(k);
  }
  const s = q.toString();
  history.replaceState(null, '', `#/devices${s ? `?${s}` : ''}`);
  dispatchEvent(new HashChangeEvent('hashchange'));
}

export function DevicesPage({ query }: PageProps) {
  const devices = usePolled<DeviceSummary[]>('/api/v1/devices', 2_000);
  // A change of state shows at once, not at the next refresh.
  useEffect(() => {
    const stream = openLive({ readings: false, onEvent: (e) => e.type.startsWith('device.') && devices.reload() });
    return () => stream.close();
  }, []);
  const now = useNow();
  const state = query.get('state') ?? '';
  const search = (query.get('q') ?? '').trim().toLowerCase();
  const rows = (devices.data ?? []).filter(
    (d) =>
      (!state || d.state === state) &&
      (!search || [d.id, d.name ?? '', d.driver, ...Object.entries(d.tags).map(([k, v]) => `${k}=${v}`)].some((s) => s.toLowerCase().includes(search))),
  );
  return (
    <section class="devices">
      <h1>Devices</h1>
      <div class="filters" role="search">
        <label>
          Search
          <input type="search" placeholder="id, name, driver, tag" value={query.get('q') ?? ''} onInput={(e) => setQuery({ q: (e.target as HTMLInputElement).value })} />
        </label>
        <label>
          State
          <select value={state} onChange={(e) => setQuery({ state: (e.target as HTMLSelectElement).value })}>
            <option value="">any</option>
            {STATES.map((s) => (
              <option value={s}>{s}</option>
            ))}
          </select>
        </label>
        {devices.data && (
          <span class="muted count-line">
            {rows.length} of {devices.data.length}
          </span>
        )}
      </div>
      <Failure error={devices.error} what="The devices" />
      {devices.data && (
        <Table
          label="Devices"
          rows={rows}
          rowKey={(d) => d.id}
          rowClass={(d) => `device-row state-row-${d.state}`}
          empty={devices.data.length ? 'No device matches the filter.' : 'No devices are configured.'}
          columns={[
            {
              label: 'device',
              cell: (d) => (
                <a href={`#/devices/${encodeURIComponent(d.id)}`} class="device-link">
                  <strong>{d.id}</strong>
                  {d.name && <span class="muted"> {d.name}</span>}
                </a>
              ),
            },
            { label: 'state', cell: (d) => <StateBadge state={d.state} /> },
            { label: 'since', cell: (d) => ago(d.since, now) },
            { label: 'driver', cell: (d) => d.driver },
            { label: 'points', class: 'num', cell: (d) => d.points },
            { label: 'last good', cell: (d) => ago(d.lastGoodAt, now) },
            { label: 'why / last error', cell: (d) => <ErrorWords device={d} now={now} /> },
          ]}
        />
      )}
    </section>
  );
}

export function ErrorWords({ device, now }: { device: DeviceSummary; now: number }) {
  if (device.reason && device.state !== 'online') {
    return (
      <span class="reason">
        {device.reason}
        {device.code && <code class="code"> {device.code}</code>}
      </span>
    );
  }
  const last = device.stats.lastError;
  if (!last) return null;
  return (
    <span class="muted last-error">
      {last.message} <code class="code">{last.code}</code> ({ago(last.at, now)})
    </span>
  );
}
