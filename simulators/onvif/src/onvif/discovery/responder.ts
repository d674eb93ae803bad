/**
 * The WS-Discovery target side: answers Probes with one ProbeMatches per matching camera, sent
 * to the prober's address and port. It listens on a unicast port of the host address (what works
 * in containers and CI) and, when asked, on the multicast group 239.255.255.250:3702; a group
 * that cannot be joined is logged and the unicast port keeps working.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import type { Logger } from '@sensegate/sdk';
import type { Camera } from '../camera.js';
import { matches, probeMatches, readProbe } from './messages.js';

export const DISCOVERY_GROUP = '239.255.255.250';
export const DISCOVERY_PORT = 3702;
/** A Probe arriving on both sockets (wildcard host) is answered once. */
const DUPLICATE_WINDOW_MS = 10_000;

export interface DiscoveryResponder {
  readonly unicastPort: number;
  /** Whether the multicast group was joined. */
  readonly multicast: boolean;
  close(): Promise<void>;
}

function bind(socket: Socket, port: number, address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ port, address }, () => {
      socket.off('error', reject);
      resolve();
    });
  });
}

export async function startDiscoveryResponder(cameras: readonly Camera[], options: { host: string; unicastPort: number; multicast: boolean; logger: Logger }): Promise<DiscoveryResponder> {
  const log = options.logger.child({ part: 'ws-discovery' });
  const type = options.host.includes(':') ? 'udp6' : 'udp4';
  const instanceId = Math.floor(Date.now() / 1000);
  let messageNumber = 0;
  const answered = new Map<string, number>();

  const onMessage = (socket: Socket) => (msg: Buffer, from: RemoteInfo) => {
    const probe = readProbe(msg.toString('utf8'));
    if (!probe) return;
    const now = Date.now();
    for (const [id, at] of answered) if (now - at > DUPLICATE_WINDOW_MS) answered.delete(id);
    if (probe.messageId !== undefined) {
      if (answered.has(probe.messageId)) return;
      answered.set(probe.messageId, now);
    }
    for (const camera of cameras) {
      if (!matches(probe, camera)) continue;
      socket.send(probeMatches(probe, camera, ++messageNumber, instanceId), from.port, from.address, (err) => {
        if (err) log.warn({ err, to: `${from.address}:${from.port}` }, 'ProbeMatches not sent');
      });
    }
  };

  const sockets: Socket[] = [];
  const open = async (port: number, address: string): Promise<Socket> => {
    const socket = createSocket({ type, reuseAddr: true });
    socket.on('message', onMessage(socket));
    socket.on('error', (err) => log.warn({ err }, 'WS-Discovery socket error'));
    await bind(socket, port, address);
    sockets.push(socket);
    return socket;
  };

  const unicast = await open(options.unicastPort, options.host);
  let multicast = false;
  if (options.multicast) {
    try {
      const group = await open(DISCOVERY_PORT, type === 'udp6' ? '::' : '0.0.0.0');
      group.addMembership(DISCOVERY_GROUP);
      multicast = true;
    } catch (err) {
      log.warn({ err }, `cannot join WS-Discovery multicast ${DISCOVERY_GROUP}:${DISCOVERY_PORT}; unicast probes to ${options.host}:${unicast.address().port} still work`);
    }
  }

  return {
    unicastPort: unicast.address().port,
    multicast,
    close: async () => {
      await Promise.all(sockets.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    },
  };
}
