/**
 * The overview: is the gateway doing its job? Its identity and readiness, each sink with its
 * backlog and the age of the oldest entry waiting, the journal, active alarms, and devices by state
 * (each state a link to the devices filtered by it; a state no device is in is left out, but for
 * online, so a count of 0 online stands out). Refreshed every 2 s.
 */
import { Failure } from '../components/failure.js';
import { StateBadge } from '../components/state-badge.js';
import { Table } from '../components/table.js';
import { ago, bytes, clock, duration, value } from '../format.js';
import { useNow, usePolled } from '../hooks.js';
import type { Alarm, Journal, Sink, Status } from '../types.js';
import type { PageProps } from './index.js';

const EVERY = 2_000;
const STATES = ['online', 'degraded', 'offline', 'starting', 'stopped'] as const;

export function OverviewPage(_: PageProps) {
  const status = usePolled<Status>('/api/v1/status', EVERY);
  const sinks = usePolled<Sink[]>('/api/v1/sinks', EVERY);
  const journal = usePolled<Journal>('/api/v1/journal', EVERY);
  const alarms = usePolled<Alarm[]>('/api/v1/alarms', EVERY);
  const now = useNow();
  const s = status.data;
  return (
    <section class="overview">
      <h1>Overview</h1>
      <Failure error={status.error} what="The gateway's status" />
      {s && (
        <div class="tiles">
          <article class="tile gateway" aria-label="Gateway">
            <h2>Gateway</h2>
            <p class="big">{s.name ?? s.gateway}</p>
            <p>
              <span class={`badge ${s.ready.ready ? 'ok' : 'warn'}`}>{s.ready.ready ? 'ready' : 'not ready'}</span>{' '}
              {s.ready.reasons.map((r) => (
                <span class="reason">{r}</span>
              ))}
            </p>
            <dl>
              <dt>id</dt>
              <dd>{s.gateway}</dd>
              <dt>version</dt>
              <dd>{s.version}</dd>
              <dt>up</dt>
              <dd title={clock(s.startedAt)}>{duration(now - s.startedAt)}</dd>
              <dt>memory</dt>
              <dd>{bytes(s.process.rss)}</dd>
              <dt>CPU</dt>
              <dd>{Math.round(s.process.cpu * 100)} %</dd>
            </dl>
          </article>
          <article class="tile devices" aria-label="Devices by state">
            <h2>
              <a href="#/devices">Devices</a>
            </h2>
            <ul class="states">
              {STATES.filter((st) => (s.devices[st] ?? 0) > 0 || st === 'online').map((st) => (
                <li>
                  <a href={`#/devices?state=${st}`} class="state-count" data-state={st}>
                    <span class="count">{s.devices[st] ?? 0}</span> <StateBadge state={st} />
                  </a>
                </li>
              ))}
            </ul>
          </article>
          <article class="tile alarms" aria-label="Active alarms">
            <h2>
              <a href="#/events?type=alarm.">Active alarms</a>
            </h2>
            <p class={`big ${s.alarms > 0 ? 'alarm-count' : ''}`}>{s.alarms}</p>
            {alarms.data && alarms.data.length > 0 && (
              <ul class="alarm-list">
                {alarms.data.map((a) => (
                  <li>
                    <a href={`#/devices/${encodeURIComponent(a.device)}`}>
                      {a.device} / {a.point}
                    </a>{' '}
                    {alarmWords(a, now)}
                  </li>
                ))}
              </ul>
            )}
          </article>
          <article class="tile journal" aria-label="Journal">
            <h2>Journal</h2>
            {journal.data ? (
              <dl>
                <dt>entries</dt>
                <dd>{journal.data.entries.toLocaleString()}</dd>
                <dt>size</dt>
                <dd>{bytes(journal.data.bytes)}</dd>
                <dt>oldest</dt>
                <dd>{ago(journal.data.oldestTs, now)}</dd>
                <dt>dropped</dt>
                <dd class={journal.data.dropped > 0 ? 'warn-text' : ''}>{journal.data.dropped}</dd>
                <dt>disk free</dt>
                <dd class={journal.data.disk.full ? 'warn-text' : ''}>
                  {bytes(journal.data.disk.freeBytes)}
                  {journal.data.disk.full ? ' (full: entries wait in memory)' : ''}
                </dd>
              </dl>
            ) : (
              <Failure error={journal.error} />
            )}
          </article>
        </div>
      )}
      <h2>Sinks</h2>
      <Failure error={sinks.error} what="The sinks" />
      {sinks.data && (
        <Table
          label="Sinks"
          rows={sinks.data}
          rowKey={(k) => k.name}
          empty="No sinks configured: readings stay in the journal."
          columns={[
            { label: 'sink', cell: (k) => <strong>{k.name}</strong> },
            { label: 'type', cell: (k) => k.type },
            { label: 'link', cell: (k) => <span class={`badge ${k.connected ? 'ok' : 'bad'}`}>{k.connected ? 'connected' : 'disconnected'}</span> },
            { label: 'backlog', class: 'num', cell: (k) => `${k.backlog.entries.toLocaleString()} (${bytes(k.backlog.bytes)})` },
            { label: 'oldest waiting', class: 'num', cell: (k) => (k.backlog.entries > 0 ? duration(k.backlog.oldestAge) : '–') },
            { label: 'rate', class: 'num', cell: (k) => `${value(k.rate)} /s` },
            { label: 'dead letters', class: 'num', cell: (k) => k.deadLetters },
          ]}
        />
      )}
    </section>
  );
}

function alarmWords(a: Alarm, now: number): string {
  const parts: string[] = [];
  for (const key of ['level', 'severity', 'condition']) if (typeof a[key] === 'string') parts.push(a[key] as string);
  if (a.value !== undefined) parts.push(`value ${value(a.value)}`);
  if (typeof a.since === 'number') parts.push(`since ${ago(a.since, now)}`);
  return parts.join(', ');
}
