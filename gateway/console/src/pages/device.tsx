/**
 * One device: its state and why, live values with quality, status and age, a trend per numeric
 * point (its recent history, then extended from the live stream), writes and driver commands for
 * operators, and the read plan.
 *
 * Invariants: values change on screen as the stream brings them, never by reloading; the state is
 * fetched again as soon as the stream says it changed (and every 2 s besides), so an offline device
 * shows as soon as the gateway notices. A
 * write or command shows the device's acknowledgement in words, and the write box is only offered
 * to operators and admins (the gateway refuses the others anyway).
 */
import { useEffect, useState } from 'preact/hooks';
import { api, ApiFailure, roleAtLeast, sendCommand } from '../api.js';
import { Failure } from '../components/failure.js';
import { Sparkline } from '../components/sparkline.js';
import { QualityBadge, StateBadge } from '../components/state-badge.js';
import { Table } from '../components/table.js';
import { ago, clock, duration, value as formatValue } from '../format.js';
import { useNow, usePolled, useUser } from '../hooks.js';
import { openLive, type LiveState } from '../live.js';
import type { Ack, DeviceDetail, History, Plan, Point, Reading } from '../types.js';
import { ErrorWords } from './devices.js';
import type { PageProps } from './index.js';

/** Samples a trend keeps on screen (the gateway keeps `api.history.samples`). */
const TREND_SAMPLES = 300;

type Trends = Record<string, { ts: number[]; value: number[]; quality: string[] }>;

export function DevicePage({ params }: PageProps) {
  const id = params.id!;
  const base = `/api/v1/devices/${encodeURIComponent(id)}`;
  const device = usePolled<DeviceDetail>(base, 2_000);
  const plan = usePolled<Plan>(`${base}/plan`, 0);
  const me = useUser();
  const now = useNow();
  const [latest, setLatest] = useState<Record<string, Reading>>({});
  const [trends, setTrends] = useState<Trends>({});
  const [live, setLive] = useState<LiveState>('connecting');
  // A trend is drawn for the points whose values are numbers.
  const numericIds = (device.data?.pointList ?? []).filter((p) => typeof p.latest?.value === 'number').map((p) => p.id).join(',');

  // Trends: the recent history of each point, once; the stream extends them.
  useEffect(() => {
    if (!numericIds) return;
    let stopped = false;
    void Promise.all(
      numericIds.split(',').map((point) =>
        api<History>(`${base}/points/${encodeURIComponent(point)}/history`)
          .then((h) => [point, h] as const)
          .catch(() => [point, undefined] as const),
      ),
    ).then((list) => {
      if (stopped) return;
      setTrends((old) => {
        const next: Trends = { ...old };
        for (const [point, h] of list) {
          if (!h) continue;
          const mine = old[point];
          // Keep live samples newer than the history answer.
          const after = h.ts.length ? h.ts[h.ts.length - 1]! : 0;
          const keep = mine ? mine.ts.map((t, i) => i).filter((i) => mine.ts[i]! > after) : [];
          next[point] = {
            ts: [...h.ts, ...keep.map((i) => mine!.ts[i]!)],
            value: [...h.value, ...keep.map((i) => mine!.value[i]!)],
            quality: [...h.quality, ...keep.map((i) => mine!.quality[i]!)],
          };
        }
        return next;
      });
    });
    return () => {
      stopped = true;
    };
  }, [base, numericIds]);

  // Live values: the stream starts with the latest of each point, then sends what changed.
  useEffect(() => {
    const stream = openLive({
      devices: [id],
      onState: setLive,
      // A change of state shows at once, not at the next refresh.
      onEvent: (e) => {
        if (e.device === id && e.type.startsWith('device.')) device.reload();
      },
      onReadings: (batch) => {
        const mine = batch.filter((r) => r.device === id);
        if (!mine.length) return;
        setLatest((old) => {
          const next = { ...old };
          for (const r of mine) if (!next[r.point] || next[r.point]!.ts <= r.ts) next[r.point] = { ts: r.ts, value: r.value, quality: r.quality, ...(r.status ? { status: r.status } : {}) };
          return next;
        });
        setTrends((old) => {
          const next = { ...old };
          for (const r of mine) {
            if (typeof r.value !== 'number') continue;
            const t = next[r.point] ?? { ts: [], value: [], quality: [] };
            if (t.ts.length && t.ts[t.ts.length - 1]! >= r.ts) continue;
            next[r.point] = {
              ts: [...t.ts, r.ts].slice(-TREND_SAMPLES),
              value: [...t.value, r.value].slice(-TREND_SAMPLES),
              quality: [...t.quality, r.quality].slice(-TREND_SAMPLES),
            };
          }
          return next;
        });
      },
    });
    return () => stream.close();
  }, [id]);

  const d = device.data;
  if (!d) {
    return (
      <section>
        <h1>{id}</h1>
        {device.error ? <Failure error={device.error} what={`Device ${id}`} /> : <p class="muted">Loading…</p>}
        <p>
          <a href="#/devices">All devices</a>
        </p>
      </section>
    );
  }
  const operator = roleAtLeast(me?.role, 'operator');
  const readingOf = (p: Point): Reading | undefined => {
    const a = latest[p.id];
    const b = p.latest;
    if (!a) return b;
    if (!b) return a;
    return a.ts >= b.ts ? a : b;
  };
  return (
    <section class="device" data-device={d.id}>
      <p class="crumbs">
        <a href="#/devices">Devices</a> /
      </p>
      <div class="device-head">
        <h1>
          {d.id}
          {d.name && <span class="muted"> {d.name}</span>}
        </h1>
        <StateBadge state={d.state} />
        <span class="muted">since {ago(d.since, now)}</span>
        <span class={`live-state ${live}`} title="the live stream of this device's values">
          {live === 'live' ? 'live' : live === 'connecting' ? 'connecting' : 'reconnecting'}
        </span>
      </div>
      {((d.state !== 'online' && d.reason) || d.stats.lastError) && (
        <p class="device-why">
          <ErrorWords device={d} now={now} />
        </p>
      )}
      <dl class="device-facts">
        <dt>driver</dt>
        <dd>{d.driver}</dd>
        <dt>poll interval</dt>
        <dd>{duration(d.pollInterval)}</dd>
        <dt>last good</dt>
        <dd title={clock(d.lastGoodAt)}>{ago(d.lastGoodAt, now)}</dd>
        <dt>polls</dt>
        <dd>
          {d.stats.polls.toLocaleString()} ({d.stats.failures.toLocaleString()} failed reads of {d.stats.reads.toLocaleString()})
        </dd>
        {Object.entries(d.tags).length > 0 && (
          <>
            <dt>tags</dt>
            <dd>
              {Object.entries(d.tags)
                .map(([k, v]) => `${k}=${v}`)
                .join(', ')}
            </dd>
          </>
        )}
        {d.info &&
          Object.entries(d.info).map(([k, v]) => (
            <>
              <dt>{k}</dt>
              <dd>{formatValue(v)}</dd>
            </>
          ))}
      </dl>

      <h2>Points</h2>
      <Table
        label="Points"
        rows={d.pointList}
        rowKey={(p) => p.id}
        columns={[
          {
            label: 'point',
            cell: (p) => (
              <span>
                <strong>{p.id}</strong>
                {p.name && <span class="muted"> {p.name}</span>}
                {p.derived && <span class="muted"> (derived)</span>}
              </span>
            ),
          },
          {
            label: 'value',
            class: 'num',
            cell: (p) => {
              const r = readingOf(p);
              return (
                <span class="value" data-point={p.id}>
                  {r ? formatValue(r.value) : '–'}
                  {p.unit && r ? <span class="muted unit"> {p.unit}</span> : null}
                </span>
              );
            },
          },
          { label: 'quality', cell: (p) => <QualityBadge quality={readingOf(p)?.quality} /> },
          { label: 'status', cell: (p) => (readingOf(p)?.status ? <span class="muted">{readingOf(p)!.status}</span> : null) },
          {
            label: 'measured',
            cell: (p) => {
              const r = readingOf(p);
              return <span title={clock(r?.ts)}>{r ? ago(r.ts, now) : '–'}</span>;
            },
          },
          {
            label: 'trend',
            cell: (p) => {
              const t = trends[p.id];
              return t && typeof readingOf(p)?.value === 'number' ? <Sparkline ts={t.ts} value={t.value} quality={t.quality} unit={p.unit} /> : null;
            },
          },
          ...(operator ? [{ label: 'write', cell: (p: Point) => (p.writable ? <WriteBox device={d.id} point={p} /> : null) }] : []),
        ]}
      />

      {d.commands.length > 0 && (
        <>
          <h2>Commands</h2>
          {operator ? <Commands device={d.id} commands={d.commands} /> : <p class="muted">Operators can run this driver's commands: {d.commands.map((c) => c.name).join(', ')}.</p>}
        </>
      )}

      <h2>Read plan</h2>
      <ReadPlan plan={plan.data} error={plan.error} />
    </section>
  );
}

/** A write to one point: the value as typed (a number when it reads as one), then the device's answer. */
function WriteBox({ device, point }: { device: string; point: Point }) {
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [answer, setAnswer] = useState<{ ok: boolean; words: string } | undefined>();
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setAnswer(undefined);
    try {
      const ack = await sendCommand<Ack>(`/api/v1/devices/${encodeURIComponent(device)}/points/${encodeURIComponent(point.id)}/write`, { value: parseValue(text, point.type) });
      setAnswer(ack.ok ? { ok: true, words: `written (${ack.took} ms)` } : { ok: false, words: `refused: ${ack.error?.message ?? 'no reason given'}${ack.error?.retryable ? ' (try again)' : ''}` });
    } catch (err) {
      setAnswer({ ok: false, words: err instanceof ApiFailure ? err.words : (err as Error).message });
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="inline-form write" onSubmit={submit} data-point={point.id}>
      <input aria-label={`new value for ${point.id}`} name="value" value={text} inputMode={point.type === 'string' ? 'text' : 'decimal'} required onInput={(e) => setText((e.target as HTMLInputElement).value)} />
      <button type="submit" disabled={busy}>
        Write
      </button>
      {answer && (
        <span class={answer.ok ? 'success' : 'failure'} role="status">
          {answer.words}
        </span>
      )}
    </form>
  );
}

function parseValue(text: string, type: string | undefined): unknown {
  const t = text.trim();
  if (type === 'string') return text;
  if (t === 'true' || t === 'false') return t === 'true';
  const n = Number(t);
  return t !== '' && Number.isFinite(n) ? n : text;
}

/** The driver's commands: a button each, with optional JSON arguments. */
function Commands({ device, commands }: { device: string; commands: Array<{ name: string; description?: string }> }) {
  const [args, setArgs] = useState('');
  const [answer, setAnswer] = useState<{ ok: boolean; words: string } | undefined>();
  const [busy, setBusy] = useState<string | undefined>();
  const run = async (name: string) => {
    setAnswer(undefined);
    let parsed: Record<string, unknown> | undefined;
    if (args.trim()) {
      try {
        parsed = JSON.parse(args) as Record<string, unknown>;
      } catch (err) {
        setAnswer({ ok: false, words: `the arguments are not JSON: ${(err as Error).message}` });
        return;
      }
    }
    setBusy(name);
    try {
      const ack = await sendCommand<Ack>(`/api/v1/devices/${encodeURIComponent(device)}/commands/${encodeURIComponent(name)}`, parsed ? { args: parsed } : {});
      setAnswer(ack.ok ? { ok: true, words: `${name}: done${ack.result !== undefined ? `: ${formatValue(ack.result)}` : ''}` } : { ok: false, words: `${name} refused: ${ack.error?.message ?? 'no reason given'}` });
    } catch (err) {
      setAnswer({ ok: false, words: err instanceof ApiFailure ? err.words : (err as Error).message });
    } finally {
      setBusy(undefined);
    }
  };
  return (
    <div class="command-box">
      <label>
        Arguments (JSON, optional)
        <input value={args} placeholder='{"pan": 0.5}' onInput={(e) => setArgs((e.target as HTMLInputElement).value)} />
      </label>
      <div class="commands">
        {commands.map((c) => (
          <button type="button" class="secondary" title={c.description} disabled={busy !== undefined} onClick={() => void run(c.name)}>
            {c.name}
          </button>
        ))}
      </div>
      {answer && (
        <p class={answer.ok ? 'success' : 'failure'} role="status">
          {answer.words}
        </p>
      )}
    </div>
  );
}

function ReadPlan({ plan, error }: { plan: Plan | undefined; error: ApiFailure | undefined }) {
  if (error) return <Failure error={error} what="The read plan" />;
  if (!plan) return <p class="muted">Loading…</p>;
  if (!plan.groups.length) return <p class="muted">This device is not polled (its driver pushes values), so it has no read plan.</p>;
  return (
    <div class="plan">
      {plan.groups.map((g) => (
        <div class="group">
          <strong>every {duration(g.interval)}</strong>: {g.points.length} points in {g.requests.length} request{g.requests.length === 1 ? '' : 's'}
          <ul>
            {g.requests.map((r) => (
              <li>
                <code>{r}</code>
              </li>
            ))}
          </ul>
        </div>
      ))}
    </div>
  );
}
