/**
 * The load for the station benchmark, in its own process as real loggers are: `count` TCP
 * connections, one per station, each with its own MN. Phases are driven by the parent:
 * `connect` opens them all, `send` makes every station send real-time air-quality packets as fast
 * as its socket drains (a distinct QN each, so the driver publishes every one), `pause` stops.
 * Usage (by bench/stations.ts): fork with tsx, argv: <port> <count> <password>
 */
import { connect, type Socket } from 'node:net';
import { encodeFrame, formatDataTime, formatQn, formatSegment } from '../src/protocol/index.js';
import { mnOf } from './fleet-ids.js';

const [port, count, password] = [Number(process.argv[2]), Number(process.argv[3]), process.argv[4]!];

const sockets: Socket[] = [];
let sending = false;
let sent = 0;
const base = Date.now();

function frame(mn: string, n: number): Buffer {
  const ts = base + n; // a distinct QN per packet
  const cp =
    `DataTime=${formatDataTime(ts)};a34004-Rtd=${35 + (n % 7)},a34004-Flag=N;a34002-Rtd=${61 + (n % 5)},a34002-Flag=N;` +
    `a21026-Rtd=8,a21026-Flag=N;a21004-Rtd=27,a21004-Flag=N;a05024-Rtd=96,a05024-Flag=N;a21005-Rtd=0.7,a21005-Flag=N;` +
    `a01001-Rtd=21.4,a01001-Flag=N;a01002-Rtd=56.0,a01002-Flag=N;a01007-Rtd=2.3,a01007-Flag=N;a01008-Rtd=135,a01008-Flag=N`;
  return encodeFrame(formatSegment({ qn: formatQn(ts), st: '22', cn: '2011', pw: password, mn, flag: 4, cp }));
}

function pump(socket: Socket, mn: string, counter: { n: number }): void {
  // A burst at a time, then yield, so messages from the parent (pause) are heard.
  for (let burst = 0; burst < 16 && sending; burst++) {
    sent++;
    if (!socket.write(frame(mn, counter.n++))) {
      socket.once('drain', () => pump(socket, mn, counter));
      return;
    }
  }
  if (sending) setImmediate(() => pump(socket, mn, counter));
}

process.on('message', async (msg: { cmd: string }) => {
  if (msg.cmd === 'connect') {
    for (let i = 0; i < count; i++) {
      const socket = connect({ host: '127.0.0.1', port });
      socket.on('error', () => {});
      sockets.push(socket);
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    }
    process.send!({ connected: sockets.length });
  } else if (msg.cmd === 'send') {
    sending = true;
    sockets.forEach((s, i) => pump(s, mnOf(i), { n: i * 10_000_000 }));
  } else if (msg.cmd === 'pause') {
    sending = false;
    process.send!({ sent });
  } else if (msg.cmd === 'close') {
    for (const s of sockets) s.destroy();
    process.exit(0);
  }
});
process.send!({ ready: true });
