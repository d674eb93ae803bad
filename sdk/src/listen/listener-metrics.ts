/**
 * The metrics of a station listener, named once for every protocol. Each series carries the
 * listen address (`listen`, from the configuration) and, where there are several, a reason from a
 * fixed set; never a remote address or anything else a peer chooses. The gateway adds `driver`.
 */
import type { CounterSeries, DriverMetrics, GaugeSeries } from '../metrics.js';
import type { LineKind } from './log-limiter.js';

/** Why a connection was closed on arrival. */
export type ConnectionRefusal = 'not-allowed' | 'backoff' | 'address-limit' | 'listener-full';
/** Why the listener closed a connection it had accepted. */
export type CloseReason = 'auth-timeout' | 'idle' | 'refused' | 'wrong-password' | 'malformed' | 'unread-replies' | 'internal-error';
/** Why a well-formed frame was refused. */
export type FrameRefusal = 'wrong-password' | 'unknown-station' | 'not-allowed' | 'other';

export class ListenerMetrics {
  readonly accepted: CounterSeries;
  readonly open: GaugeSeries;
  readonly authFailures: CounterSeries;
  readonly backoffs: CounterSeries;
  readonly malformed: CounterSeries;
  readonly reassemblyDropped: CounterSeries;
  readonly reassemblyBytes: GaugeSeries;
  private readonly series = new Map<string, CounterSeries>();

  constructor(
    private readonly metrics: DriverMetrics,
    private readonly listen: string,
  ) {
    const labels = { listen };
    this.accepted = metrics.counter('sensegate_listener_connections_total', 'Connections a station listener accepted.', labels);
    this.open = metrics.gauge('sensegate_listener_connections', 'Connections open on a station listener.', labels);
    this.authFailures = metrics.counter('sensegate_listener_auth_failures_total', 'Frames with a wrong password on a station listener.', labels);
    this.backoffs = metrics.counter('sensegate_listener_backoffs_total', 'Times a remote address was refused for a while after a wrong password (authBackoff).', labels);
    this.malformed = metrics.counter('sensegate_listener_frames_malformed_total', 'Runs of bytes that were no valid frame, on a station listener.', labels);
    this.reassemblyDropped = metrics.counter('sensegate_listener_reassembly_dropped_total', 'Messages sent in several packets that were dropped before they completed.', labels);
    this.reassemblyBytes = metrics.gauge('sensegate_listener_reassembly_bytes', 'Memory held for messages still arriving in several packets (maxReassemblyBytes).', labels);
  }

  refused(reason: ConnectionRefusal): CounterSeries {
    return this.labelled('sensegate_listener_connections_refused_total', 'Connections closed on arrival, by reason.', 'reason', reason);
  }

  closed(reason: CloseReason): CounterSeries {
    return this.labelled('sensegate_listener_connections_closed_total', 'Connections the listener closed, by reason.', 'reason', reason);
  }

  framesRefused(reason: FrameRefusal): CounterSeries {
    return this.labelled('sensegate_listener_frames_refused_total', 'Well-formed frames refused, by reason.', 'reason', reason);
  }

  suppressed(kind: LineKind): CounterSeries {
    return this.labelled('sensegate_listener_log_lines_suppressed_total', 'Log lines left out by the log limit (logLimit), by kind.', 'kind', kind);
  }

  private labelled(name: string, help: string, label: string, value: string): CounterSeries {
    const key = `${name}/${value}`;
    let series = this.series.get(key);
    if (!series) this.series.set(key, (series = this.metrics.counter(name, help, { listen: this.listen, [label]: value })));
    return series;
  }
}
