/**
 * One TCP connection to a station listener, from a station or from anything pretending to be one.
 * The protocol side (a `ConnectionSession` the driver writes) cuts frames and matches them to
 * stations; this side holds the rules every protocol shares, so that no driver can get them wrong:
 *
 * - until its first accepted frame a connection has `authTimeout`; after it, `idleTimeout`, and
 *   only accepted frames (a known station, the right password) refresh the timer;
 * - a refused frame closes a connection that never carried an accepted station; on one that did
 *   (a relay that also carries stations this gateway does not serve) the frame is dropped;
 * - a wrong password refuses the address for a growing time (`authBackoff`) and closes the
 *   connection: at once if it never carried a station, else after MAX_WRONG_PASSWORDS;
 * - MAX_BAD_IN_A_ROW malformed or refused frames in a row close it;
 * - a peer that leaves MAX_UNSENT_BYTES of replies unread is closed (it would hold our memory);
 * - an exception in the protocol code closes this connection, never the process or another one.
 *
 * Every line it logs goes through the listener's log limit, quoting the peer only in escaped form
 * and with the stations' secrets hidden.
 */
import type { Socket } from 'node:net';
import { toSensegateError, type SensegateError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { AllowList } from './allow-list.js';
import type { AuthBackoff } from './auth-backoff.js';
import type { Episodes } from './episodes.js';
import type { CloseReason, FrameRefusal, ListenerMetrics } from './listener-metrics.js';
import type { LogLimiter } from './log-limiter.js';
import type { ListenerSettings } from './settings.js';

/** Malformed or refused frames in a row after which a connection is closed: it is not a station of ours. */
export const MAX_BAD_IN_A_ROW = 16;
/** Wrong passwords after which a connection that carried a station is closed all the same. */
export const MAX_WRONG_PASSWORDS = 3;
/** Replies a peer may leave unread before its connection is closed, bytes. */
export const MAX_UNSENT_BYTES = 1024 * 1024;

/** The protocol side of a connection, written by the driver. */
export interface ConnectionSession {
  /**
   * Bytes from the peer. Called with the socket corked, so the replies to one chunk leave in one
   * write; may throw, which closes this connection only.
   */
  receive(chunk: Buffer): void;
  /** The connection has closed; `reason` ("connection from 10.0.0.7:4242 was closed: ...") is for the stations' health. */
  closed(reason: string): void;
}

/** A well-formed frame the driver refuses. */
export interface RefusedFrame {
  refusal: FrameRefusal;
  /** `SG_STATION_REFUSED`, saying whose frame and from where ("wrong password for station X at 10.0.0.7:4242"). */
  error: SensegateError;
  /** What was refused, for the log line: "CN 2011", "timed report". */
  what: string;
  /** Logged once per episode of this key (until the driver ends it when the station is accepted). */
  episode: string;
  fields?: Record<string, unknown>;
  /** The station's logger when the frame claimed a configured station. */
  log?: Logger;
}

export interface RefusalOutcome {
  closed: boolean;
  /** After a wrong password: for how long new connections from the address are refused, ms. */
  backoff?: number;
}

/** A station a connection carried, charged with the malformed data that follows it. */
export interface MalformedSource {
  /** "station 0012345678", for the message. */
  label: string;
  log: Logger;
  device?: string;
  fields?: Record<string, unknown>;
}

/** What a connection needs from its listener. */
export interface ConnectionHost {
  readonly driver: string;
  readonly settings: ListenerSettings;
  readonly lines: LogLimiter;
  readonly metrics: ListenerMetrics;
  readonly episodes: Episodes;
  readonly backoff: AuthBackoff;
  readonly counts: { connectionsIdle: number; authTimeouts: number };
  /** Hides the stations' secrets in text quoted from the wire (`StationListenerOptions.redact`). */
  redact(text: string): string;
  forget(connection: ListenerConnection): void;
}

export interface PeerIdentity {
  /** `10.0.0.7:4242` (`[fd00::7]:4242`): shown in logs and health. */
  remote: string;
  /** `10.0.0.7`: matched against allow-lists. */
  address: string;
  /** What limits count it under (`peerKey`). */
  peer: string;
}

export class ListenerConnection {
  readonly remote: string;
  readonly address: string;
  readonly peer: string;
  private readonly session: ConnectionSession;
  private timer: NodeJS.Timeout;
  /** Whether a frame was accepted on this connection: it carries a station. */
  private carried = false;
  /** A wrong password from this connection refused its address: its next accepted frame ends that. */
  private penalized = false;
  private badInARow = 0;
  private wrongPasswords = 0;
  private closeReason = 'was closed by the station';
  private readonly malformedEpisode: string;
  private malformedOpen = false;

  constructor(
    private readonly socket: Socket,
    identity: PeerIdentity,
    private readonly host: ConnectionHost,
    createSession: (connection: ListenerConnection) => ConnectionSession,
  ) {
    this.remote = identity.remote;
    this.address = identity.address;
    this.peer = identity.peer;
    this.malformedEpisode = `malformed/${this.remote}`;
    const { authTimeout, authTimeoutSetting } = host.settings;
    this.timer = setTimeout(() => this.unauthenticated(authTimeout, authTimeoutSetting), authTimeout);
    this.timer.unref?.();
    this.session = createSession(this);
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', (err) => (this.closeReason = `failed: ${err.message}`));
    socket.once('close', () => this.closed());
  }

  /** Whether a frame was accepted on this connection. */
  get authenticated(): boolean {
    return this.carried;
  }

  /** Whether replies can still be written. */
  get open(): boolean {
    return !this.socket.destroyed && this.socket.writable;
  }

  get destroyed(): boolean {
    return this.socket.destroyed;
  }

  /** Whether a station with this allow-list (none: any address) may use this connection's address. */
  allows(list: AllowList | undefined): boolean {
    return list === undefined || list.allows(this.address);
  }

  /** Writes a reply; false if the connection can no longer take it. */
  send(bytes: Uint8Array): boolean {
    if (!this.open) return false;
    if (this.socket.writableLength > MAX_UNSENT_BYTES) {
      this.close(`it left ${this.socket.writableLength} bytes of replies unread`, 'unread-replies');
      return false;
    }
    this.socket.write(bytes);
    return true;
  }

  /** A frame of a known station with the right password, from an address it may use, was accepted. */
  accepted(): void {
    this.badInARow = 0;
    if (this.malformedOpen) this.endMalformed();
    if (this.carried) {
      this.timer.refresh();
    } else {
      this.carried = true;
      clearTimeout(this.timer);
      const { idleTimeout } = this.host.settings;
      this.timer = setTimeout(() => this.idle(idleTimeout), idleTimeout);
      this.timer.unref?.();
      this.host.backoff.succeeded(this.peer);
    }
    if (this.penalized) {
      this.penalized = false;
      this.host.backoff.succeeded(this.peer);
    }
  }

  /** Refuses a well-formed frame: counts it, logs it once per episode, and closes or drops as the rules say. */
  refuse(frame: RefusedFrame): RefusalOutcome {
    const { metrics, backoff, episodes, lines } = this.host;
    metrics.framesRefused(frame.refusal).inc();
    let closing: CloseReason | undefined;
    let delay: number | undefined;
    if (frame.refusal === 'wrong-password') {
      metrics.authFailures.inc();
      delay = backoff.failed(this.peer);
      metrics.backoffs.inc();
      episodes.end(`backoff/${this.peer}`); // its next refused connection says for how long, once
      this.penalized = true;
      if (!this.carried || ++this.wrongPasswords >= MAX_WRONG_PASSWORDS) closing = 'wrong-password';
    } else if (!this.carried) {
      closing = 'refused';
    }
    if (!closing && ++this.badInARow >= MAX_BAD_IN_A_ROW) closing = 'refused';
    const outcome: RefusalOutcome = { closed: closing !== undefined, ...(delay !== undefined ? { backoff: delay } : {}) };
    if (episodes.occur(frame.episode)) {
      const { code, status } = frame.error;
      const then = `${closing ? 'connection closed' : 'frame dropped'}${delay !== undefined ? `, new connections from ${this.address} refused for ${delay} ms` : ''}`;
      lines.write({
        kind: 'refused',
        peer: this.peer,
        ...(frame.log ? { log: frame.log } : {}),
        fields: { code, ...(status ? { status } : {}), remote: this.remote, ...frame.fields },
        message: `refused ${frame.what}: ${this.host.redact(frame.error.message)}; ${then}. ${frame.error.action} (logged once until the station is accepted)`,
      });
    }
    if (closing) this.close(frame.error.message, closing);
    return outcome;
  }

  /** Bytes that were no valid frame (or a frame whose content cannot be read). */
  malformed(error: SensegateError, excerpt: string, source?: MalformedSource): void {
    const { metrics, episodes, lines, driver } = this.host;
    metrics.malformed.inc();
    this.malformedOpen = true;
    if (episodes.occur(this.malformedEpisode)) {
      const e = error.withContext({ driver, source: this.remote, ...(source?.device ? { device: source.device } : {}) });
      const who = source ? `${source.label} at ${this.remote}` : this.remote;
      // A broken frame may be a real station's, header damaged where the protocol would mask it.
      const bytes = this.host.redact(excerpt);
      lines.write({
        kind: 'malformed',
        peer: this.peer,
        ...(source ? { log: source.log } : {}),
        fields: { code: e.code, ...(e.status ? { status: e.status } : {}), remote: this.remote, ...source?.fields, excerpt: bytes },
        message: `malformed data from ${who}: ${this.host.redact(e.message)}; bytes: ${bytes} (logged once until a good frame or the connection closes)`,
      });
    }
    if (++this.badInARow >= MAX_BAD_IN_A_ROW) this.close(`${MAX_BAD_IN_A_ROW} malformed or refused frames in a row`, 'malformed');
  }

  /** Closes the connection; `reason` ends "connection from X was closed: ..." in the stations' health. */
  close(reason: string, why: CloseReason): void {
    if (this.socket.destroyed) return;
    this.closeReason = `was closed: ${reason}`;
    this.host.metrics.closed(why).inc();
    this.socket.destroy();
  }

  /** Closes without counting it as the listener's decision (shutdown, removal). */
  destroy(): void {
    this.socket.destroy();
  }

  private receive(chunk: Buffer): void {
    this.socket.cork();
    try {
      this.session.receive(chunk);
    } catch (err) {
      // A bug in protocol code must cost this connection only, never the process or another station.
      const error = toSensegateError(err, { driver: this.host.driver, source: this.remote });
      this.host.lines.write({
        kind: 'error',
        level: 'error',
        peer: this.peer,
        fields: { remote: this.remote, err: error.message },
        message: `closing the connection from ${this.remote} after an internal error: ${error.message}`,
      });
      this.close(`internal error: ${error.message}`, 'internal-error');
    } finally {
      if (!this.socket.destroyed) this.socket.uncork();
    }
  }

  private unauthenticated(ms: number, setting: string): void {
    this.host.counts.authTimeouts++;
    const reason = `no accepted frame within ${ms} ms of connecting (${setting})`;
    this.host.lines.write({ kind: 'closed', level: 'info', peer: this.peer, fields: { remote: this.remote }, message: `closed the connection from ${this.remote}: ${reason}` });
    this.close(reason, 'auth-timeout');
  }

  private idle(ms: number): void {
    this.host.counts.connectionsIdle++;
    this.close(`no accepted frame for ${ms} ms (idleTimeout)`, 'idle');
  }

  private endMalformed(): void {
    this.malformedOpen = false;
    const count = this.host.episodes.end(this.malformedEpisode);
    if (count > 1) {
      this.host.lines.write({
        kind: 'malformed',
        level: 'info',
        peer: this.peer,
        fields: { remote: this.remote, count },
        message: `${count} malformed frames or runs of garbage from ${this.remote} in that episode`,
      });
    }
  }

  private closed(): void {
    clearTimeout(this.timer);
    this.host.forget(this);
    if (this.malformedOpen) this.endMalformed();
    this.session.closed(`connection from ${this.remote} ${this.closeReason}`);
  }
}
