/**
 * The load for the SL 651 benchmark, in its own process as real RTUs are: `count` TCP connections,
 * one per station. `send` with a rate makes the stations together send that many timed reports
 * (32) per second, round robin, each with its own serial number so the driver publishes every one;
 * the driver's confirmations are read and discarded. A fixed offered rate measures the driver, not
 * how fast this process can write. Usage (by bench/stations.ts): fork with tsx, argv: <port> <count>
 */
import { connect, type Socket } from 'node:net';
import { addressOf } from './fleet-ids.js';
import { timedReport } from './report.js';

const [port, count] = [Number(process.argv[2]), Number(process.argv[3])];
const sockets: Socket[] = [];
let timer: NodeJS.Timeout | undefined;
let sent = 0;
let next = 0;

function start(rate: number): void {
  const began = performance.now();
  sent = 0;
  timer = setInterval(() => {
    const due = Math.floor(((performance.now() - began) / 1000) * rate) - sent;
    const now = Date.now();
    for (let i = 0; i < due; i++) {
      const station = next++ % count;
      const socket = sockets[station]!;
      // A station whose link is backed up skips its turn, as a real one would wait.
      if (socket.writableLength > 65_536) continue;
      socket.write(timedReport(addressOf(station), Math.floor(next / count), now));
      sent++;
    }
  }, 10);
}

process.on('message', async (msg: { cmd: string; rate?: number }) => {
  if (msg.cmd === 'connect') {
    for (let i = 0; i < count; i++) {
      const socket = connect({ host: '127.0.0.1', port });
      socket.on('error', () => {});
      socket.on('data', () => {}); // confirmations
      sockets.push(socket);
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    }
    process.send!({ connected: sockets.length });
  } else if (msg.cmd === 'send') {
    start(msg.rate!);
  } else if (msg.cmd === 'pause') {
    clearInterval(timer);
    process.send!({ sent });
  } else if (msg.cmd === 'close') {
    for (const s of sockets) s.destroy();
    process.exit(0);
  }
});
process.send!({ ready: true });
