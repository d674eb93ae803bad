/**
 * The HJ 212 side of one connection to a station listener: frames cut from the byte stream,
 * parsed, matched to a configured station by MN, allowed address and password, and handed to it.
 * What every listener shares (deadlines, closing on refusals, back-off after wrong passwords,
 * limits, the log limit) is the SDK's `ListenerConnection`; this file only says what an HJ 212
 * frame is and whose it is. A frame costs this connection at most, never another station.
 *
 * A station may be carried with others on one connection (a relay); frames for MNs this gateway
 * does not serve are then dropped rather than closing it, but they never keep it open.
 */
import {
  SensegateError,
  toSensegateError,
  type ConnectionSession,
  type FrameRefusal,
  type ListenerConnection,
} from '@sensegate/sdk';
import { excerpt } from '../protocol/excerpt.js';
import { FrameDecoder, type DecodeResult } from '../protocol/frame-decoder.js';
import { parseSegment, type Packet } from '../protocol/packet.js';
import type { Station, StationLink } from '../station/station.js';
import type { Hj212Listener } from './hj212-listener.js';

type Status = 'hj212:unknown-mn' | 'hj212:not-allowed' | 'hj212:wrong-password';

export class Hj212Session implements ConnectionSession, StationLink {
  private readonly decoder: FrameDecoder;
  private readonly stations = new Set<Station>();

  constructor(
    private readonly connection: ListenerConnection,
    private readonly listener: Hj212Listener,
  ) {
    this.decoder = new FrameDecoder({ maxFrameBytes: listener.maxFrameBytes });
  }

  get remote(): string {
    return this.connection.remote;
  }

  get open(): boolean {
    return this.connection.open;
  }

  send(frame: Buffer): boolean {
    return this.connection.send(frame);
  }

  receive(chunk: Buffer): void {
    for (const result of this.decoder.push(chunk)) {
      if (this.connection.destroyed) return;
      this.frame(result);
    }
  }

  closed(reason: string): void {
    for (const station of this.stations) station.linkClosed(this, reason);
  }

  private frame(result: DecodeResult): void {
    if (!result.ok) return this.malformed(result.error, result.excerpt);
    let packet: Packet;
    try {
      packet = parseSegment(result.segment);
    } catch (err) {
      return this.malformed(toSensegateError(err), excerpt(result.raw));
    }
    const station = this.listener.server.stations.get(packet.mn);
    if (!station) return this.refuse(packet, 'unknown-station', 'hj212:unknown-mn', `unknown MN ${packet.mn}`);
    if (!this.connection.allows(station.allow)) {
      return this.refuse(packet, 'not-allowed', 'hj212:not-allowed', `station ${packet.mn} (device ${station.id}) may not connect from ${this.connection.address}`, station);
    }
    if (packet.pw !== station.connection.password) {
      return this.refuse(packet, 'wrong-password', 'hj212:wrong-password', `wrong password for station ${packet.mn} (device ${station.id})`, station);
    }
    this.accept(packet, station);
  }

  private accept(packet: Packet, station: Station): void {
    this.connection.accepted();
    const { episodes, lines } = this.listener.server;
    for (const [, count] of episodes.endAll(station.refusedEpisodes)) {
      lines.write({
        kind: 'refused',
        level: 'info',
        peer: this.connection.peer,
        log: station.log,
        fields: { station: station.mn, remote: this.remote },
        message: `station ${station.mn} accepted again after ${count} refused packet(s)`,
      });
    }
    this.stations.add(station);
    station.accepted(this);
    station.handle(packet, this);
  }

  private refuse(packet: Packet, refusal: FrameRefusal, status: Status, reason: string, station?: Station): void {
    const error = new SensegateError('SG_STATION_REFUSED', `${reason} at ${this.remote}`, {
      driver: this.listener.driver,
      status,
      source: this.remote,
      ...(station ? { device: station.id } : {}),
    });
    if (station) station.refused(error);
    else this.listener.unclaimed.framesRefused++;
    this.connection.refuse({
      refusal,
      error,
      what: `CN ${packet.cn}`,
      episode: `refused/${packet.mn}/${status}`,
      fields: { mn: packet.mn, cn: packet.cn },
      ...(station ? { log: station.log } : {}),
    });
  }

  private malformed(error: SensegateError, bytes: string): void {
    const station = [...this.stations].at(-1);
    if (station) station.noteMalformed();
    else this.listener.unclaimed.framesMalformed++;
    this.connection.malformed(
      error,
      bytes,
      station ? { label: `station ${station.mn}`, log: station.log, device: station.id, fields: { station: station.mn } } : undefined,
    );
  }
}
