/**
 * The SL 651 side of one connection to a station listener: frames checked, matched to a
 * configured station by address, allowed remote address, password and centre, reassembled when
 * they come in packets, confirmed as the standard asks, and published. What every listener shares
 * (deadlines, closing on refusals, back-off after wrong passwords, limits, the log limit) is the
 * SDK's `ListenerConnection`; this file only says what an SL 651 frame is and whose it is. A frame
 * costs this connection at most, never another station.
 */
import { SensegateError, toSensegateError, type ConnectionSession, type FrameRefusal, type ListenerConnection } from '@sensegate/sdk';
import { decodeBody, type MessageBody } from '../protocol/body.js';
import { END } from '../protocol/control.js';
import { FrameDecoder, type DecodeResult } from '../protocol/frame-decoder.js';
import type { Frame } from '../protocol/frame.js';
import { FUNCTION, REPORTS, functionName, isConfirmed } from '../protocol/function-codes.js';
import { excerpt } from '../protocol/hex.js';
import { encodeConfirmation } from '../protocol/messages.js';
import type { StationDevice } from '../station/station-device.js';
import { Reassembly } from './reassembly.js';
import type { Sl651Listener } from './sl651-listener.js';

/** Why a well-formed frame is refused; each runs its own once-per-episode log per station address. */
const REFUSALS = ['sl651:unknown-station', 'sl651:not-allowed', 'sl651:wrong-password', 'sl651:wrong-centre', 'sl651:downlink'] as const;
type Status = (typeof REFUSALS)[number];

export class Sl651Session implements ConnectionSession {
  private readonly decoder = new FrameDecoder();
  private readonly reassembly: Reassembly;
  private readonly stations = new Set<StationDevice>();

  constructor(
    private readonly connection: ListenerConnection,
    private readonly listener: Sl651Listener,
  ) {
    this.reassembly = new Reassembly(listener.server.reassembly);
  }

  private get remote(): string {
    return this.connection.remote;
  }

  receive(chunk: Buffer): void {
    for (const result of this.decoder.push(chunk)) {
      if (this.connection.destroyed) return;
      this.handle(result);
    }
  }

  closed(reason: string): void {
    const dropped = this.reassembly.dispose();
    this.listener.stats.messagesDropped += dropped;
    if (dropped) this.listener.server.metrics.reassemblyDropped.inc(dropped);
    for (const station of this.stations) station.linkClosed(this, reason);
  }

  private handle(result: DecodeResult): void {
    if (!result.ok) return this.malformed(result.error, result.excerpt);
    const { frame } = result;
    if (frame.direction !== 'up') return this.refuse(frame, 'other', 'sl651:downlink', `a downlink frame (direction 8) claiming station ${frame.station}`);
    const station = this.listener.server.stations.get(frame.station);
    if (!station) return this.refuse(frame, 'unknown-station', 'sl651:unknown-station', `unknown station ${frame.station}`);
    if (!this.connection.allows(station.allow)) {
      return this.refuse(frame, 'not-allowed', 'sl651:not-allowed', `station ${frame.station} (device ${station.id}) may not connect from ${this.connection.address}`, station);
    }
    if (frame.password !== station.connection.password) {
      return this.refuse(frame, 'wrong-password', 'sl651:wrong-password', `wrong password from station ${frame.station}`, station);
    }
    const centre = station.connection.centre;
    if (centre !== undefined && frame.centre !== centre) {
      return this.refuse(frame, 'other', 'sl651:wrong-centre', `station ${frame.station} addressed centre ${frame.centre}, expected ${centre}`, station);
    }
    this.accept(frame, station);
  }

  private accept(frame: Frame, station: StationDevice): void {
    const { stats, server } = this.listener;
    stats.framesAccepted++;
    this.connection.accepted();
    for (const status of REFUSALS) {
      const refused = server.episodes.end(`refused/${station.address}/${status}`);
      if (refused) {
        server.lines.write({
          kind: 'refused',
          level: 'info',
          peer: this.connection.peer,
          fields: { station: station.address, remote: this.remote },
          message: `station ${station.address} accepted again after ${refused} refused frame(s)`,
        });
      }
    }
    this.stations.add(station);
    station.accepted(this, this.remote);
    if (!frame.packet) return this.message(frame, frame.body, station);
    for (const outcome of this.reassembly.add({ ...frame, packet: frame.packet }, station.connection.maxMessageBytes)) {
      if (outcome.kind === 'dropped') {
        stats.messagesDropped++;
        server.metrics.reassemblyDropped.inc();
        server.lines.write({
          kind: 'dropped',
          peer: this.connection.peer,
          log: station.device.log,
          fields: { remote: this.remote },
          message: `dropped a multi-packet ${functionName(frame.functionCode)} from station ${station.address}: ${outcome.reason}`,
        });
      } else if (outcome.kind === 'partial') {
        if (frame.end === END.ETB && station.connection.reply !== 'none') this.send(encodeConfirmation(frame, outcome.head ?? new Uint8Array(0), END.ACK));
      } else {
        this.message(frame, outcome.body, station);
      }
    }
  }

  /** A complete message (one frame, or packets put together). */
  private message(frame: Frame, body: Uint8Array, station: StationDevice): void {
    const { functionCode } = frame;
    if (functionCode === FUNCTION.keepAlive) return;
    let decoded: MessageBody;
    try {
      decoded = decodeBody(functionCode, body);
    } catch (err) {
      return this.malformed(toSensegateError(err), excerpt(body));
    }
    if (isConfirmed(functionCode) && station.connection.reply !== 'none') {
      this.send(encodeConfirmation(frame, decoded.head, station.connection.reply === 'eot' ? END.EOT : END.ESC));
    }
    const { stats, server } = this.listener;
    const stoppedKey = `stopped/${station.address}/${functionCode}`;
    if (decoded.stopped) {
      if (server.episodes.occur(stoppedKey)) {
        station.device.log.warn(
          { offset: decoded.stopped.offset, excerpt: excerpt(body.subarray(decoded.stopped.offset)) },
          `${functionName(functionCode)} from station ${station.address} decoded up to byte ${decoded.stopped.offset} only: ${decoded.stopped.reason} (logged once until one decodes fully)`,
        );
      }
    } else {
      server.episodes.end(stoppedKey);
    }
    if (!REPORTS.has(functionCode)) {
      if (server.episodes.occur(`ignored/${station.address}/${functionCode}`)) {
        station.device.log.info(`station ${station.address} sent a ${functionName(functionCode)}; its contents are not published (logged once)`);
      }
      return;
    }
    if (station.isRepeat(functionCode, decoded.head)) {
      stats.duplicates++;
      station.device.log.debug(`station ${station.address} repeated ${functionName(functionCode)} serial ${decoded.serial}; confirmed again, not published twice`);
      return;
    }
    stats.valuesPublished += station.publish(functionCode, decoded);
  }

  private refuse(frame: Frame, refusal: FrameRefusal, status: Status, reason: string, station?: StationDevice): void {
    this.listener.stats.framesRefused++;
    const error = new SensegateError('SG_STATION_REFUSED', `${reason} at ${this.remote}`, {
      driver: this.listener.driver,
      status,
      source: this.remote,
      ...(station ? { device: station.id } : {}),
    });
    station?.refused(error);
    this.connection.refuse({
      refusal,
      error,
      what: functionName(frame.functionCode),
      episode: `refused/${frame.station}/${status}`,
      fields: { station: frame.station, function: frame.functionCode },
      ...(station ? { log: station.device.log } : {}),
    });
  }

  private malformed(error: SensegateError, bytes: string): void {
    this.listener.stats.framesMalformed++;
    this.connection.malformed(error, bytes);
  }

  private send(bytes: Buffer): void {
    if (this.connection.send(bytes)) this.listener.stats.repliesSent++;
  }
}
