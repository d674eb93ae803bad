/**
 * The relay's two ports against a peer on the network: a connection takes a slot on arrival, before
 * a byte is read (at most `maxConnectionsPerAddress` from one address, IPv6 counted per /64, and
 * `maxConnections` in all), and must become a player or a publisher within `handshakeTimeout`
 * (HTTP: a whole request; RTMP: play or publish) or it is closed. So connections that say
 * nothing, or drip a byte at a time, cannot hold the ports. Loopback peers (the gateway's own
 * pushes, a local player) count towards the total only. Every refusal goes to the refusal log.
 */
import type { Server as HttpServer } from 'node:http';
import type { Server as NetServer, Socket } from 'node:net';
import { ConnectionSlots, isLoopback, peerKey, plainAddress } from '@sensegate/sdk';
import type { RefusalLog } from './refusals.js';

export interface ConnectionLimits {
  maxConnections: number;
  maxConnectionsPerAddress: number;
  /** ms a new connection has to become a player or a publisher. */
  handshakeTimeout: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = { maxConnections: 512, maxConnectionsPerAddress: 32, handshakeTimeout: 10_000 };

export class ConnectionGuard {
  private readonly slots: ConnectionSlots;

  constructor(
    private readonly limits: ConnectionLimits,
    private readonly refusals: RefusalLog,
  ) {
    this.slots = new ConnectionSlots(() => ({ total: limits.maxConnections, perAddress: Number.POSITIVE_INFINITY }));
  }

  /**
   * Puts the limits in front of the HTTP server's own connection handling, and gives a request
   * `handshakeTimeout` for its headers (a player's stream, once answered, may last for hours).
   */
  guardHttp(server: HttpServer): void {
    server.headersTimeout = this.limits.handshakeTimeout;
    server.requestTimeout = this.limits.handshakeTimeout + 1000;
    // Node checks those only every 30 s; the relay's own timer closes a silent connection on time.
    const asked = new WeakSet<Socket>();
    server.on('request', (req) => asked.add(req.socket));
    server.on('upgrade', (req) => asked.add(req.socket as Socket));
    this.wrap(server, 'http-flv', (socket) => asked.has(socket));
  }

  /** The same for RTMP: a session must ask to play or publish within `handshakeTimeout`. */
  guardRtmp(server: NetServer, engaged: (socket: Socket) => boolean): void {
    this.wrap(server, 'rtmp', engaged);
  }

  private wrap(server: NetServer | HttpServer, protocol: 'http-flv' | 'rtmp', engaged: (socket: Socket) => boolean): void {
    const handlers = server.listeners('connection') as Array<(socket: Socket) => void>;
    server.removeAllListeners('connection');
    server.on('connection', (socket: Socket) => {
      const address = plainAddress(socket.remoteAddress);
      const refusal = this.admit(address);
      if (refusal) {
        socket.destroy();
        this.refusals.record({ action: 'connect', protocol, address, path: '', reason: refusal, explanation: EXPLANATIONS[refusal](this.limits) });
        return;
      }
      const key = this.keyOf(address);
      let released = false;
      socket.once('close', () => {
        if (released) return;
        released = true;
        this.slots.give(key);
      });
      const timer = setTimeout(() => {
        if (socket.destroyed || engaged(socket)) return;
        socket.destroy();
        this.refusals.record({ action: 'connect', protocol, address, path: '', reason: 'handshake-timeout', explanation: EXPLANATIONS['handshake-timeout'](this.limits) });
      }, this.limits.handshakeTimeout);
      timer.unref();
      socket.once('close', () => clearTimeout(timer));
      for (const handler of handlers) handler.call(server, socket);
    });
  }

  private keyOf(address: string): string {
    return isLoopback(address) ? 'loopback' : peerKey(address);
  }

  private admit(address: string): ConnectionRefusal | undefined {
    const key = this.keyOf(address);
    if (key !== 'loopback' && this.slots.openFrom(key) >= this.limits.maxConnectionsPerAddress) return 'address-limit';
    return this.slots.take(key) === undefined ? undefined : 'relay-full';
  }
}

type ConnectionRefusal = 'address-limit' | 'relay-full';

const EXPLANATIONS: Record<ConnectionRefusal | 'handshake-timeout', (limits: ConnectionLimits) => string> = {
  'address-limit': (l) => `the address already has ${l.maxConnectionsPerAddress} connections open (video.relay.maxConnectionsPerAddress)`,
  'relay-full': (l) => `${l.maxConnections} connections are open (video.relay.maxConnections)`,
  'handshake-timeout': (l) => `it did not ask to play or publish within ${l.handshakeTimeout} ms (video.relay.handshakeTimeout)`,
};
