/**
 * A small WS-Discovery prober over UDP: one Probe to the multicast group, or one to each address of
 * a range (containers and routed networks do not pass multicast), then every reply until the time is
 * up. Each reply is handed to `onReply` as it arrives (so reading one datagram is one short turn of
 * the event loop, never all of them at the end), and at most MAX_REPLIES are taken.
 */
import { createSocket, type RemoteInfo } from 'node:dgram';
import { setTimeout as sleep } from 'node:timers/promises';

export const DISCOVERY_GROUP = '239.255.255.250';
export const DISCOVERY_PORT = 3702;
/** Probes sent back to back before a short pause, so a /22 does not burst a thousand datagrams. */
const BURST = 64;
/** Replies kept from one probe: a few per address of the largest range; more is a flood, and is dropped. */
export const MAX_REPLIES = 4096;

export interface Reply {
  text: string;
  from: RemoteInfo;
}

export interface ProbeOptions {
  /** Where to send the probe: the multicast group, or each of these addresses. */
  targets: readonly string[] | 'multicast';
  port: number;
  /** How long to listen for replies after the last probe went out, ms. */
  timeout: number;
  message: Buffer;
  signal?: AbortSignal | undefined;
  /** Called with each reply as it arrives. */
  onReply(reply: Reply): void;
}

/** Probes and listens; resolves with the number of replies taken. */
export async function probe(options: ProbeOptions): Promise<number> {
  const socket = createSocket({ type: 'udp4', reuseAddr: true });
  let replies = 0;
  const failures: Error[] = [];
  socket.on('message', (msg, from) => {
    if (replies >= MAX_REPLIES) return;
    replies++;
    options.onReply({ text: msg.toString('utf8'), from });
  });
  socket.on('error', (err) => failures.push(err));
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    const send = (host: string) =>
      new Promise<void>((resolve) => socket.send(options.message, options.port, host, (err) => {
        // One unreachable address must not end the probe of the others.
        if (err) failures.push(err);
        resolve();
      }));
    if (options.targets === 'multicast') {
      socket.setMulticastTTL(4);
      await send(DISCOVERY_GROUP);
    } else {
      for (let i = 0; i < options.targets.length; i++) {
        options.signal?.throwIfAborted();
        await send(options.targets[i]!);
        if ((i + 1) % BURST === 0) await sleep(10);
      }
    }
    await sleep(options.timeout, undefined, options.signal ? { signal: options.signal } : undefined).catch((err) => {
      if (options.signal?.aborted) return; // aborted: answer what arrived so far
      throw err;
    });
    if (options.targets === 'multicast' && failures.length && replies === 0) throw failures[0]!;
    return replies;
  } finally {
    socket.close();
  }
}
