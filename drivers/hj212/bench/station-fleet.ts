/**
 * The load for the station benchmark, in its own process as real loggers are: `count` TCP
 * connections, one per station, each with its own MN. Phases are driven by the parent:
 * `connect` opens them all, `send` makes every station send real-time air-quality packets as fast
 * as its socket drains (a distinct QN each, so the driver publishes every one), `count` reports
 * what was sent so far and the fleet's CPU time (so the bench can tell whether the fleet was the
 * limit), `pause` stops.
 * Usage (by bench/stations.ts): fork with tsx, argv: <port> <count> <password>
 */
import { connect, type Socket } from 'node:net';
import { crc16Hj212 } from '@sensegate/sdk';
import { FRAME_TAIL, formatCrc, formatDataTime } from '../src/protocol/index.js';
import { mnOf } from './fleet-ids.js';

const [port, count, password] = [Number(process.argv[2]), Number(process.argv[3]), process.argv[4]!];

const sockets: Socket[] = [];
let sending = false;
let sent = 0;
const base = Date.now();

/**
 * One station's packets. The fleet must cost far less than the driver's decoding, or the bench
 * measures the fleet: the parts that never change are built once, the date once per second, and
 * the frame is written straight into one buffer.
 */
class Station {
  private n = 0;
  private second = NaN;
  private date = '';
  private readonly head: string;

  constructor(mn: string) {
    this.head = `;ST=22;CN=2011;PW=${password};MN=${mn};Flag=4;CP=&&DataTime=`;
  }

  next(): Buffer {
    const n = this.n++;
    const ts = base + n; // a distinct QN per packet of a station (QNs are per station)
    const second = Math.floor(ts / 1000);
    if (second !== this.second) {
      this.second = second;
      this.date = formatDataTime(ts);
    }
    const qn = `${this.date}${String(ts % 1000).padStart(3, '0')}`;
    const segment =
      `QN=${qn}${this.head}${this.date};a34004-Rtd=${35 + (n % 7)},a34004-Flag=N;a34002-Rtd=${61 + (n % 5)},a34002-Flag=N;` +
      `a21026-Rtd=8,a21026-Flag=N;a21004-Rtd=27,a21004-Flag=N;a05024-Rtd=96,a05024-Flag=N;a21005-Rtd=0.7,a21005-Flag=N;` +
      `a01001-Rtd=21.4,a01001-Flag=N;a01002-Rtd=56.0,a01002-Flag=N;a01007-Rtd=2.3,a01007-Flag=N;a01008-Rtd=135,a01008-Flag=N&&`;
    // The segment is ASCII: its length in characters is its length in bytes.
    const frame = Buffer.allocUnsafe(6 + segment.length + 6);
    frame.write(`##${String(segment.length).padStart(4, '0')}${segment}`, 0, 'latin1');
    frame.write(`${formatCrc(crc16Hj212(frame, 6, 6 + segment.length))}${FRAME_TAIL}`, 6 + segment.length, 'latin1');
    return frame;
  }
}

function pump(socket: Socket, station: Station): void {
  // A burst at a time, then yield, so messages from the parent (pause) are heard.
  for (let burst = 0; burst < 16 && sending; burst++) {
    sent++;
    if (!socket.write(station.next())) {
      socket.once('drain', () => pump(socket, station));
      return;
    }
  }
  if (sending) setImmediate(() => pump(socket, station));
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
    // Every station starts at the time the fleet started, as real stations all report the current time.
    sockets.forEach((s, i) => pump(s, new Station(mnOf(i))));
  } else if (msg.cmd === 'count') {
    const cpu = process.cpuUsage();
    // Its own clock: the parent's request may wait behind a burst, so the parent's clock would skew the rates.
    process.send!({ sent, cpuMicros: cpu.user + cpu.system, at: performance.now() });
  } else if (msg.cmd === 'pause') {
    sending = false;
    process.send!({ sent });
  } else if (msg.cmd === 'close') {
    for (const s of sockets) s.destroy();
    process.exit(0);
  }
});
process.send!({ ready: true });
