/**
 * The stations of one listen address (host and port) on the SDK's station-listener skeleton,
 * with the counters of what the SL 651 side does: frames, reports, replies, multi-packet messages.
 */
import { StationListener, type DriverContext } from '@sensegate/sdk';
import type { StationDevice } from '../station/station-device.js';
import { Sl651Session } from './sl651-session.js';
import { emptyStats, type Sl651Stats } from './stats.js';

export class Sl651Listener {
  readonly server: StationListener<StationDevice>;
  /** What the SL 651 side counts; the connection counts are the server's (`counts()`). */
  readonly stats: Sl651Stats = emptyStats();
  readonly driver: string;

  constructor(host: string, port: number, context: DriverContext) {
    this.driver = context.driver;
    this.server = new StationListener<StationDevice>({ host, port, protocol: 'SL 651', context, session: (connection) => new Sl651Session(connection, this) });
  }

  /** Every counter of this listener, connections included. */
  counts(): Sl651Stats {
    const { connections, connectionsAccepted, connectionsRefused, connectionsIdle, authTimeouts } = this.server.counts;
    return { ...this.stats, connections, connectionsAccepted, connectionsRefused, connectionsIdle, authTimeouts, reassemblyBytes: this.server.reassembly.used };
  }
}
