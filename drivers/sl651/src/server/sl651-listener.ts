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
    this.server = new StationListener<StationDevice>({
      host,
      port,
      protocol: 'SL 651',
      context,
      session: (connection) => new Sl651Session(connection, this),
      redact: (text) => this.redact(text),
    });
  }

  /**
   * Every station's password (`A1 B2` in an excerpt) hidden in text quoted from the wire: excerpts
   * mask the bytes after each `7E 7E`, but a frame whose header is damaged still carries them.
   */
  private redact(text: string): string {
    let out = text;
    for (const station of this.server.stations.values()) {
      const { password } = station.connection;
      out = out.split(`${password.slice(0, 2)} ${password.slice(2)}`).join('** **');
    }
    return out;
  }

  /** Every counter of this listener, connections included. */
  counts(): Sl651Stats {
    const { connections, connectionsAccepted, connectionsRefused, connectionsIdle, authTimeouts } = this.server.counts;
    return { ...this.stats, connections, connectionsAccepted, connectionsRefused, connectionsIdle, authTimeouts, reassemblyBytes: this.server.reassembly.used };
  }
}
