/**
 * One TCP connection from a station (or from something pretending to be one). Frames are checked,
 * matched to a configured station by address, password and centre, reassembled when they come in
 * packets, confirmed as the standard asks, and published. Anything wrong is counted and logged once
 * per episode with the remote address; it affects this connection at most, never another station.
 */
import type { Socket } from 'node:net';
import { SensegateError, toSensegateError } from '@sensegate/sdk';
import { decodeBody, type MessageBody } from '../protocol/body.js';
import { END } from '../protocol/control.js';
import { FrameDecoder, type DecodeResult } from '../protocol/frame-decoder.js';
import type { Frame } from '../protocol/frame.js';
import { FUNCTION, REPORTS, functionName, isConfirmed } from '../protocol/function-codes.js';
import { excerpt } from '../protocol/hex.js';
import { encodeConfirmation } from '../protocol/messages.js';
import type { StationDevice } from '../station/station-device.js';
import { Reassembly } from './reassembly.js';
import type { StationListener } from './station-listener.js';

/** Why a well-formed frame is refused; each runs its own once-per-episode log per station address. */
const REFUSALS = ['sl651:unknown-station', 'sl651:wrong-password', 'sl651:wrong-centre', 'sl651:downlink'] as const;

/** Malformed or refused frames in a row after which a connection is closed: it is not a station of ours. */
const MAX_BAD_IN_A_ROW = 64;

export class StationConnection {
  private readonly decoder = new FrameDecoder();
  private readonly reassembly = new Reassembly();
  private readonly stations = new Set<StationDevice>();
  private badInARow = 0;
  private closeReason = 'was closed by the station';

  constructor(
    private readonly socket: Socket,
    readonly remote: string,
    private readonly listener: StationListener,
  ) {
    socket.setTimeout(listener.idleTimeout);
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('timeout', () => this.close(`no frame for ${listener.idleTimeout} ms (idleTimeout)`));
    socket.on('error', (err) => (this.closeReason = `failed: ${err.message}`));
    socket.once('close', () => this.closed());
  }

  destroy(): void {
    this.socket.destroy();
  }

  private close(reason: string): void {
    this.closeReason = `was closed: ${reason}`;
    this.socket.destroy();
  }

  private receive(chunk: Buffer): void {
    // The confirmations of every report in this chunk leave in one write, not one each.
    this.socket.cork();
    try {
      for (const result of this.decoder.push(chunk)) {
        if (this.socket.destroyed) return;
        this.handle(result);
      }
    } catch (err) {
      // A bug here must cost this connection only, never the process or another station.
      const error = toSensegateError(err, { driver: this.listener.context.driver, source: this.remote });
      this.listener.log.error({ remote: this.remote, err: error.message }, `closing the connection from ${this.remote} after an internal error: ${error.message}`);
      this.close(`internal error: ${error.message}`);
    } finally {
      if (!this.socket.destroyed) this.socket.uncork();
    }
  }

  private handle(result: DecodeResult): void {
    if (!result.ok) return this.malformed(result.error, result.excerpt);
    const { frame } = result;
    if (frame.direction !== 'up') return this.refuse(frame, 'sl651:downlink', `a downlink frame (direction 8) claiming station ${frame.station}`);
    const station = this.listener.stations.get(frame.station);
    if (!station) return this.refuse(frame, 'sl651:unknown-station', `unknown station ${frame.station}`);
    if (frame.password !== station.connection.password) {
      return this.refuse(frame, 'sl651:wrong-password', `wrong password from station ${frame.station}`, station);
    }
    const centre = station.connection.centre;
    if (centre !== undefined && frame.centre !== centre) {
      return this.refuse(frame, 'sl651:wrong-centre', `station ${frame.station} addressed centre ${frame.centre}, expected ${centre}`, station);
    }
    this.accept(frame, station);
  }

  private accept(frame: Frame, station: StationDevice): void {
    const { stats, episodes, log } = this.listener;
    stats.framesAccepted++;
    this.badInARow = 0;
    this.endMalformed();
    for (const status of REFUSALS) {
      const refused = episodes.end(`refused/${station.address}/${status}`);
      if (refused) log.info({ station: station.address, remote: this.remote }, `station ${station.address} accepted again after ${refused} refused frame(s)`);
    }
    this.stations.add(station);
    station.accepted(this, this.remote);
    if (!frame.packet) return this.message(frame, frame.body, station);
    for (const outcome of this.reassembly.add({ ...frame, packet: frame.packet }, station.connection.maxMessageBytes)) {
      if (outcome.kind === 'dropped') {
        stats.messagesDropped++;
        station.device.log.warn({ remote: this.remote }, `dropped a multi-packet ${functionName(frame.functionCode)} from station ${station.address}: ${outcome.reason}`);
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
    const { stats, episodes } = this.listener;
    const stoppedKey = `stopped/${station.address}/${functionCode}`;
    if (decoded.stopped) {
      if (episodes.occur(stoppedKey)) {
        station.device.log.warn(
          { offset: decoded.stopped.offset, excerpt: excerpt(body.subarray(decoded.stopped.offset)) },
          `${functionName(functionCode)} from station ${station.address} decoded up to byte ${decoded.stopped.offset} only: ${decoded.stopped.reason} (logged once until one decodes fully)`,
        );
      }
    } else {
      episodes.end(stoppedKey);
    }
    if (!REPORTS.has(functionCode)) {
      if (episodes.occur(`ignored/${station.address}/${functionCode}`)) {
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

  private refuse(frame: Frame, status: (typeof REFUSALS)[number], reason: string, station?: StationDevice): void {
    const { stats, episodes, log, context } = this.listener;
    stats.framesRefused++;
    const error = new SensegateError('SG_STATION_REFUSED', `${reason} at ${this.remote}`, {
      driver: context.driver,
      status,
      source: this.remote,
      ...(station ? { device: station.id } : {}),
    });
    if (episodes.occur(`refused/${frame.station}/${status}`)) {
      (station?.device.log ?? log).warn(
        { code: error.code, status, station: frame.station, remote: this.remote, function: frame.functionCode },
        `refused ${functionName(frame.functionCode)}: ${error.message}; ${error.action} (logged once until the station is accepted)`,
      );
    }
    station?.refused(error);
    this.bad();
  }

  private malformed(error: SensegateError, bytes: string): void {
    const { stats, episodes, log, context } = this.listener;
    stats.framesMalformed++;
    if (episodes.occur(`malformed/${this.remote}`)) {
      const e = error.withContext({ driver: context.driver, source: this.remote });
      log.warn(
        { code: e.code, status: e.status, remote: this.remote, excerpt: bytes },
        `malformed data from ${this.remote}: ${e.message}; bytes: ${bytes} (logged once until a good frame or the connection closes)`,
      );
    }
    this.bad();
  }

  private bad(): void {
    if (++this.badInARow >= MAX_BAD_IN_A_ROW) this.close(`${MAX_BAD_IN_A_ROW} malformed or refused frames in a row`);
  }

  private endMalformed(): void {
    const count = this.listener.episodes.end(`malformed/${this.remote}`);
    if (count > 1) this.listener.log.info({ remote: this.remote }, `${count} malformed frames or runs of garbage from ${this.remote} in that episode`);
  }

  private send(bytes: Buffer): void {
    if (this.socket.destroyed || !this.socket.writable) return;
    this.socket.write(bytes);
    this.listener.stats.repliesSent++;
  }

  private closed(): void {
    this.listener.forget(this);
    this.endMalformed();
    this.listener.stats.messagesDropped += this.reassembly.inProgress;
    for (const station of this.stations) station.linkClosed(this, `connection from ${this.remote} ${this.closeReason}`);
  }
}
