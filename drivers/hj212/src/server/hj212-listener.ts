/**
 * The stations of one listen address (host and port) on the SDK's station-listener skeleton,
 * with what only HJ 212 adds: the frame size limit of its stations, and the counters of what no
 * station can be charged with (unknown MNs, garbage on connections that carried no station).
 */
import { StationListener, type DriverContext } from '@sensegate/sdk';
import { excerpt } from '../protocol/excerpt.js';
import type { Station } from '../station/station.js';
import { Hj212Session } from './hj212-session.js';
import { emptyStats, type Hj212Stats } from './stats.js';

export class Hj212Listener {
  readonly server: StationListener<Station>;
  /** What no station can be charged with: unknown MNs, garbage on connections that carried no station. */
  readonly unclaimed: Hj212Stats = emptyStats();
  readonly driver: string;

  constructor(host: string, port: number, context: DriverContext) {
    this.driver = context.driver;
    this.server = new StationListener<Station>({
      host,
      port,
      protocol: 'HJ 212',
      context,
      session: (connection) => new Hj212Session(connection, this),
      redact: (text) => this.redact(text),
    });
  }

  /**
   * Every station's password hidden in text quoted from the wire: excerpts mask `PW=` values, but a
   * frame whose `PW=` is damaged still carries the password. Passwords shorter than 4 characters
   * are left: hiding every `1` would leave nothing to read (and such a password hides nothing).
   */
  private redact(text: string): string {
    let out = text;
    for (const station of this.server.stations.values()) {
      const { password } = station.connection;
      if (password.length >= 4) out = out.split(excerpt(Buffer.from(password))).join('***');
    }
    return out;
  }

  /** The largest data segment any of its stations accepts: a shared server must take every station's frames. */
  get maxFrameBytes(): number {
    return Math.max(...[...this.server.stations.values()].map((s) => s.connection.maxFrameBytes));
  }

  /** The listener's own counters: connections, and what no station can be charged with. */
  stats(): Hj212Stats {
    const { connections, connectionsAccepted, connectionsRefused, connectionsIdle, authTimeouts } = this.server.counts;
    return {
      ...this.unclaimed,
      connections,
      connectionsAccepted,
      connectionsRefused,
      connectionsIdle,
      authTimeouts,
      reassemblyBytes: this.server.reassembly.used,
    };
  }
}
