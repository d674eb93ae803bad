/**
 * A gateway stand-in for the forwarder crash test: a real journal and forwarder, entries appended
 * at about 10,000 a second, and a model endpoint in place of the broker, until it is killed with
 * SIGKILL (or, with `final`, until the endpoint has acknowledged everything, when it stops cleanly).
 *
 *   node --import tsx --conditions=source gateway/test/support/forward-writer.ts <file> <run> <seed> [final]
 *
 * The endpoint acknowledges messages out of order (mostly the oldest, sometimes any), and now and
 * then drops the connection: each message in flight then either reached it without its
 * acknowledgement reaching the gateway (a lost PUBACK) or never reached it. Its choices follow
 * `seed`, so a run can be told again; when the kill lands is the test's choice.
 *
 * Lines it prints (stdout to a pipe is synchronous on Linux, so a line is out before the next step):
 * - `open <lastSeq> <cursor> <ranges>`: the journal is open; the sink's saved cursor and ranges (JSON);
 * - `got <seq> <count>`: a message reached the endpoint; printed before its acknowledgement is given;
 * - `done <lastSeq>`: (final) the sink's cursor reached the last committed entry.
 */
import { EventEmitter } from 'node:events';
import { silentLogger, type BirthInfo, type SinkInstance as Sink, type SinkEvents } from '@sensegate/sdk';
import type { OutboundMessage } from '../../src/feed/entry.js';
import { Forwarder } from '../../src/forward/forwarder.js';
import { forwardOptionsSchema } from '../../src/forward/options.js';
import { Journal } from '../../src/journal/journal.js';
import { Metrics } from '../../src/metrics.js';

const [path, runArg, seedArg, mode] = process.argv.slice(2);
if (!path || !runArg || !seedArg) {
  process.stderr.write('usage: forward-writer.ts <file> <run> <seed> [final]\n');
  process.exit(2);
}
const run = Number(runArg);
const final = mode === 'final';
let seed = Number(seedArg) >>> 0 || 1;
/** xorshift32: the endpoint's choices, reproducible from the seed. */
const random = () => {
  seed ^= seed << 13;
  seed >>>= 0;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  seed >>>= 0;
  return seed / 2 ** 32;
};
const say = (line: string) => process.stdout.write(`${line}\n`);

interface Flight {
  message: OutboundMessage;
  resolve: () => void;
  reject: (err: Error) => void;
}

/** The broker, as the forwarder sees it: acknowledgements out of order, lost PUBACKs, dropped connections. */
class ModelEndpoint extends EventEmitter<SinkEvents> implements Sink {
  readonly name = 'platform';
  connected = false;
  private flights: Flight[] = [];

  async start(_birth: BirthInfo): Promise<void> {}
  async stop(): Promise<void> {}

  send(message: OutboundMessage): Promise<void> {
    return new Promise((resolve, reject) => this.flights.push({ message, resolve, reject }));
  }

  up(): void {
    this.connected = true;
    this.emit('connect');
  }

  /** One step of the endpoint: acknowledge a message, or (rarely) drop the connection. */
  step(): void {
    if (!this.connected) return;
    if (!final && random() < 0.004) return this.drop();
    const n = Math.min(this.flights.length, 1 + Math.floor(random() * 4));
    for (let k = 0; k < n; k++) {
      const i = random() < 0.7 ? 0 : Math.floor(random() * this.flights.length);
      const [flight] = this.flights.splice(i, 1);
      say(`got ${flight!.message.seq} ${flight!.message.count}`);
      flight!.resolve();
    }
  }

  private drop(): void {
    const flights = this.flights;
    this.flights = [];
    for (const f of flights) {
      if (random() < 0.5) say(`got ${f.message.seq} ${f.message.count}`); // it arrived; its acknowledgement did not
      f.reject(new Error('connection lost'));
    }
    this.connected = false;
    this.emit('disconnect', 'model');
    setTimeout(() => this.up(), 5 + random() * 30);
  }
}

const journal = await Journal.open({
  path,
  sync: 'full',
  commitInterval: 5,
  maxBlockEntries: 50,
  maxBytes: 1e10,
  maxAge: 864e5,
  overflow: 'drop-oldest',
  log: silentLogger,
  metrics: new Metrics(),
});
const endpoint = new ModelEndpoint();
const forwarder = new Forwarder({
  journal,
  sink: endpoint,
  // Messages that cross blocks and a small window; a replay slower than the entries come, so live
  // data is acknowledged above a replay for seconds and ranges are saved above the cursor.
  options: forwardOptionsSchema.parse({ batch: { maxEntries: 120 }, inFlight: 8, replay: { rate: 4000 } }),
  log: silentLogger,
  metrics: new Metrics(),
});
await forwarder.start();
say(`open ${journal.lastSeq} ${journal.cursor('platform')} ${JSON.stringify(journal.ackedRanges('platform'))}`);
// The endpoint answers after a while, as a broker does after a restart: a backlog waits meanwhile.
setTimeout(() => endpoint.up(), final ? 5 : 100 + random() * 500);
setInterval(() => endpoint.step(), 1);

if (final) {
  // Nothing new: deliver what the journal holds, then stop cleanly.
  const timer = setInterval(() => {
    if (endpoint.connected && forwarder.cursor === journal.lastSeq) {
      clearInterval(timer);
      say(`done ${journal.lastSeq}`);
      void forwarder.stop().then(() => journal.close()).then(() => process.exit(0));
    }
  }, 10);
} else {
  let i = 0;
  setInterval(() => {
    for (let k = 0; k < 20; k++) {
      i++;
      journal.append(i % 97 === 0 ? 'event' : 'reading', `{"run":${run},"i":${i}}`);
    }
  }, 2);
}
