/**
 * One TCP connection from a data logger (or from something pretending to be one). Frames are
 * checked, matched to a configured station by MN, address and password, and handed to it.
 * Anything wrong is counted and logged once per episode with the remote address and the MN; it
 * affects this connection at most, never another station.
 *
 * Rules: an unknown MN or an address the station does not allow closes the connection unless it
 * already carried an accepted station (a relay may carry stations we do not serve). A wrong
 * password drops the packet and keeps the connection. MAX_BAD_IN_A_ROW malformed frames in a row
 * close it. So does silence: no valid frame for `idleTimeout`.
 */
import type { Socket } from 'node:net';
import { SensegateError, toSensegateError } from '@sensegate/sdk';
import { excerpt } from '../protocol/excerpt.js';
import { FrameDecoder, type DecodeResult } from '../protocol/frame-decoder.js';
import { parseSegment, type Packet } from '../protocol/packet.js';
import type { Station, StationLink } from '../station/station.js';
import type { StationListener } from './station-listener.js';

/** Malformed frames (or runs of garbage) in a row after which a connection is closed. */
export const MAX_BAD_IN_A_ROW = 10;

type Refusal = 'hj212:unknown-mn' | 'hj212:not-allowed' | 'hj212:wrong-password';

export class StationConnection implements StationLink {
  private readonly decoder: FrameDecoder;
  private readonly stations = new Set<Station>();
  private readonly idle: NodeJS.Timeout;
  private badInARow = 0;
  private closeReason = 'was closed by the station';
  /** This connection's malformed-data episode, and whether one is open: ending none costs nothing per packet. */
  private readonly malformedKey: string;
  private malformedOpen = false;

  constructor(
    private readonly socket: Socket,
    readonly remote: string,
    private readonly host: string,
    private readonly listener: StationListener,
  ) {
    this.decoder = new FrameDecoder({ maxFrameBytes: listener.maxFrameBytes });
    this.malformedKey = `malformed/${remote}`;
    const idleTimeout = listener.idleTimeout;
    this.idle = setTimeout(() => {
      this.listener.stats.connectionsIdle++;
      this.close(`no valid frame for ${idleTimeout} ms (idleTimeout)`);
    }, idleTimeout);
    this.idle.unref?.();
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', (err) => (this.closeReason = `failed: ${err.message}`));
    socket.once('close', () => this.closed());
  }

  get open(): boolean {
    return !this.socket.destroyed && this.socket.writable;
  }

  send(frame: Buffer): boolean {
    if (!this.open) return false;
    this.socket.write(frame);
    return true;
  }

  destroy(): void {
    this.socket.destroy();
  }

  private close(reason: string): void {
    this.closeReason = `was closed: ${reason}`;
    this.socket.destroy();
  }

  private receive(chunk: Buffer): void {
    try {
      for (const result of this.decoder.push(chunk)) {
        if (this.socket.destroyed) return;
        this.frame(result);
      }
    } catch (err) {
      // A bug here must cost this connection only, never the process or another station.
      const error = toSensegateError(err, { driver: this.listener.context.driver, source: this.remote });
      this.listener.log.error({ remote: this.remote, err: error.message }, `closing the connection from ${this.remote} after an internal error: ${error.message}`);
      this.close(`internal error: ${error.message}`);
    }
  }

  private frame(result: DecodeResult): void {
    if (!result.ok) return this.malformed(result.error, result.excerpt);
    let packet: Packet;
    try {
      packet = parseSegment(result.segment);
    } catch (err) {
      return this.malformed(toSensegateError(err), excerpt(result.raw));
    }
    this.idle.refresh();
    const station = this.listener.stations.get(packet.mn);
    if (!station) return this.refuse(packet, 'hj212:unknown-mn', `unknown MN ${packet.mn}`);
    if (station.allow && !station.allow.allows(this.host)) {
      return this.refuse(packet, 'hj212:not-allowed', `station ${packet.mn} (device ${station.id}) may not connect from ${this.host}`, station);
    }
    if (packet.pw !== station.connection.password) {
      return this.refuse(packet, 'hj212:wrong-password', `wrong password for station ${packet.mn} (device ${station.id})`, station);
    }
    this.accept(packet, station);
  }

  private accept(packet: Packet, station: Station): void {
    const { episodes } = this.listener;
    this.badInARow = 0;
    this.endMalformed();
    for (const [, count] of episodes.endAll(station.refusedEpisodes)) {
      station.log.info({ station: station.mn, remote: this.remote }, `station ${station.mn} accepted again after ${count} refused packet(s)`);
    }
    this.stations.add(station);
    station.accepted(this);
    station.handle(packet, this);
  }

  private refuse(packet: Packet, status: Refusal, reason: string, station?: Station): void {
    const { stats, episodes, log, context } = this.listener;
    const error = new SensegateError('SG_STATION_REFUSED', `${reason} at ${this.remote}`, {
      driver: context.driver,
      status,
      source: this.remote,
      ...(station ? { device: station.id } : {}),
    });
    if (station) station.refused(error);
    else stats.framesRefused++;
    const closing = status !== 'hj212:wrong-password' && this.stations.size === 0;
    if (episodes.occur(`refused/${packet.mn}/${status}`)) {
      (station?.log ?? log).warn(
        { code: error.code, status, mn: packet.mn, remote: this.remote, cn: packet.cn },
        `refused CN ${packet.cn}: ${error.message}${closing ? '; connection closed' : '; packet dropped'}. ${error.action} (logged once until the station is accepted)`,
      );
    }
    if (closing) this.close(reason);
  }

  private malformed(error: SensegateError, bytes: string): void {
    const { episodes, log, context } = this.listener;
    const station = [...this.stations].at(-1);
    if (station) station.noteMalformed();
    else this.listener.noteMalformed(this.host);
    this.malformedOpen = true;
    if (episodes.occur(this.malformedKey)) {
      const e = error.withContext({ driver: context.driver, source: this.remote, ...(station ? { device: station.id } : {}) });
      const who = station ? `station ${station.mn} at ${this.remote}` : this.remote;
      (station?.log ?? log).warn(
        { code: e.code, remote: this.remote, ...(station ? { station: station.mn } : {}), excerpt: bytes },
        `malformed data from ${who}: ${e.message}; bytes: ${bytes} (logged once until a good frame or the connection closes)`,
      );
    }
    if (++this.badInARow >= MAX_BAD_IN_A_ROW) this.close(`${MAX_BAD_IN_A_ROW} malformed frames in a row`);
  }

  private endMalformed(): void {
    if (!this.malformedOpen) return;
    this.malformedOpen = false;
    const count = this.listener.episodes.end(this.malformedKey);
    if (count > 1) this.listener.log.info({ remote: this.remote }, `${count} malformed frames or runs of garbage from ${this.remote} in that episode`);
  }

  private closed(): void {
    clearTimeout(this.idle);
    this.listener.forget(this);
    this.endMalformed();
    for (const station of this.stations) station.linkClosed(this, `connection from ${this.remote} ${this.closeReason}`);
  }
}
