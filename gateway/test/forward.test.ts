// The forwarder between a real journal and a scripted endpoint whose acknowledgements the test
// controls: out-of-order acks, a connection lost with messages in flight, replay behind live data.
// (Against a real broker these orders cannot be forced; the end-to-end tests cover the broker.)
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { silentLogger } from '@sensegate/sdk';
import type { OutboundMessage } from '../src/feed/entry.js';
import { AckTracker } from '../src/forward/acks.js';
import { Forwarder } from '../src/forward/forwarder.js';
import { pack, slicePiece, splitItems } from '../src/forward/items.js';
import { forwardOptionsSchema } from '../src/forward/options.js';
import { Journal } from '../src/journal/journal.js';
import { journalConfigSchema } from '../src/journal/schema.js';
import { Metrics } from '../src/metrics.js';
import type { BirthInfo, SinkInstance as Sink, SinkEvents } from '@sensegate/sdk';
import { waitFor } from '@sensegate/sdk/testing';

describe('message packing', () => {
  const tricky = ['{"a":"x,y"}', '{"b":{"c":[1,2]}}', '{"d":"q\\"},{"}', '{"e":null}'];
  it('splits between entries, never inside strings or nested values', () => {
    const items = tricky.join(',');
    for (let n = 0; n <= tricky.length; n++) {
      const [head, tail] = splitItems(items, n);
      assert.equal(head, tricky.slice(0, n).join(','));
      assert.equal(tail, tricky.slice(n).join(','));
    }
    assert.equal(slicePiece({ kind: 'reading', seq: 10, count: 4, items }, 11, 12).items, tricky.slice(1, 3).join(','));
  });

  it('merges contiguous pieces of one kind and cuts at the entry and byte limits', () => {
    const piece = (seq: number, count: number, kind: 'reading' | 'event' = 'reading') => ({
      kind,
      seq,
      count,
      items: Array.from({ length: count }, (_, i) => `{"n":${seq + i}}`).join(','),
    });
    const out = pack([piece(1, 3), piece(4, 3), piece(7, 1, 'event'), piece(8, 2), piece(10, 1), piece(20, 2), piece(30, 9)], 4, 1 << 20);
    assert.deepEqual(out.map((m) => [m.kind, m.seq, m.count]), [
      ['reading', 1, 3], // cut between pieces: 4..6 fits a message of its own
      ['reading', 4, 3],
      ['event', 7, 1],
      ['reading', 8, 3], // 8..9 and 10 merged
      ['reading', 20, 2], // not contiguous with 30
      ['reading', 30, 4], // a piece larger than a message is cut inside
      ['reading', 34, 4],
      ['reading', 38, 1],
    ]);
    for (const m of out) assert.equal(JSON.parse(`[${m.items}]`).length, m.count);
    const bySize = pack([piece(100, 50)], 1000, 60); // about 10 bytes per entry
    assert.ok(bySize.every((m) => m.items.length <= 60 || m.count === 1));
    assert.equal(bySize.reduce((n, m) => n + m.count, 0), 50);
  });
});

describe('acknowledgements', () => {
  it('advances the cursor over the contiguous prefix only, whatever the order', () => {
    const acks = new AckTracker(0);
    assert.equal(acks.ack(11, 20), false);
    assert.equal(acks.ack(31, 40), false);
    assert.equal(acks.nextUnacked(11), 21);
    assert.equal(acks.runEnd(21, 100), 30);
    assert.equal(acks.ack(1, 10), true);
    assert.equal(acks.cursor, 20);
    acks.ack(21, 30);
    assert.equal(acks.cursor, 40);
    assert.deepEqual(acks.pending(), []);
  });
});

/** An endpoint whose acknowledgements the test releases. */
class ScriptedSink extends EventEmitter<SinkEvents> implements Sink {
  readonly name = 'scripted';
  connected = false;
  readonly sent: Array<OutboundMessage & { ack(): void; fail(): void }> = [];
  autoAck = false;
  async start(_birth: BirthInfo) {}
  async stop() {}
  send(message: OutboundMessage): Promise<void> {
    return new Promise((resolve, reject) => {
      const entry = { ...message, ack: resolve, fail: () => reject(new Error('refused')) };
      this.sent.push(entry);
      if (this.autoAck) queueMicrotask(resolve);
    });
  }
  up() {
    this.connected = true;
    this.emit('connect');
  }
  down() {
    this.connected = false;
    this.emit('disconnect', 'test');
  }
}

describe('forwarder', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sensegate-forward-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  async function setup(name: string, forward: Record<string, unknown> = {}) {
    const journal = await Journal.open({
      path: join(dir, `${name}.db`),
      ...journalConfigSchema.parse({ commitInterval: '5ms', maxBlockEntries: 10 }),
      log: silentLogger,
      metrics: new Metrics(),
    });
    const sink = new ScriptedSink();
    const forwarder = new Forwarder({ journal, sink, options: forwardOptionsSchema.parse({ batch: { maxEntries: 10 }, ...forward }), log: silentLogger, metrics: new Metrics() });
    await forwarder.start();
    const append = async (n: number) => {
      for (let i = 0; i < n; i++) journal.append('reading', `{"i":${i}}`);
      await journal.flush();
    };
    return { journal, sink, forwarder, append };
  }
  const seqsOf = (messages: OutboundMessage[]) => messages.flatMap((m) => Array.from({ length: m.count }, (_, i) => m.seq + i));

  it('moves the journal cursor only over what was acknowledged without a gap', async () => {
    const { journal, sink, forwarder, append } = await setup('order');
    sink.up();
    await append(30);
    await waitFor('three messages', () => sink.sent.length === 3);
    const last = sink.sent[sink.sent.length - 1]!;
    last.ack();
    await new Promise((r) => setImmediate(r));
    assert.equal(journal.cursor('scripted'), 0, 'a later ack does not move the cursor past an unacknowledged message');
    for (const m of sink.sent) m.ack();
    await waitFor('the cursor at 30', () => journal.cursor('scripted') === 30);
    await forwarder.stop();
    await journal.close();
  });

  it('after a lost connection, replays exactly what was not acknowledged, marked historical, behind live data', async () => {
    const { journal, sink, forwarder, append } = await setup('replay', { replay: { rate: 1000 }, inFlight: 4 });
    sink.up();
    await append(40); // seq 1..40 in messages of 10 (the journal's block size)
    await waitFor('messages in flight', () => sink.sent.length === 4);
    sink.sent[0]!.ack(); // 1..10
    sink.sent[2]!.ack(); // 21..30
    await waitFor('the cursor at 10', () => journal.cursor('scripted') === 10);
    sink.down(); // 11..20 and 31..40 were in flight: they must come back
    await append(10); // 41..50, journaled while disconnected
    sink.sent.length = 0;
    sink.autoAck = true;
    sink.up();
    await append(5); // 51..55, live on the new connection
    await waitFor('everything delivered', () => journal.cursor('scripted') === 55);

    const historical = sink.sent.filter((m) => m.historical);
    const live = sink.sent.filter((m) => !m.historical);
    assert.deepEqual(seqsOf(historical), [...range(11, 20), ...range(31, 50)], 'the acknowledged 21..30 is not sent again');
    assert.deepEqual(seqsOf(live), range(51, 55));
    assert.ok(sink.sent.indexOf(live[0]!) < sink.sent.indexOf(historical[historical.length - 1]!), 'live data went out before the replay ended');
    await forwarder.stop();
    await journal.close();
  });

  it('a step of the wall clock back an hour during a replay does not stall it', async () => {
    const { journal, sink, forwarder, append } = await setup('clock-step', { replay: { rate: 200 } });
    await append(300); // journaled while the uplink is down
    sink.autoAck = true;
    sink.up();
    await waitFor('the replay under way', () => sink.sent.some((m) => m.historical));
    const wall = Date.now;
    Date.now = () => wall() - 3_600_000; // the monotonic clock goes on; only the wall clock steps
    try {
      await waitFor('the whole backlog delivered', () => journal.cursor('scripted') === 300, { timeout: 10_000 });
    } finally {
      Date.now = wall;
    }
    await forwarder.stop();
    await journal.close();
  });

  it('retries a message the endpoint refused, without losing its place', async () => {
    const { journal, sink, forwarder, append } = await setup('refused');
    sink.up();
    await append(5);
    await waitFor('a message', () => sink.sent.length === 1);
    sink.sent[0]!.fail();
    await waitFor('the retry', () => sink.sent.length === 2, { timeout: 5000 });
    assert.deepEqual(seqsOf([sink.sent[1]!]), range(1, 5));
    sink.sent[1]!.ack();
    await waitFor('the cursor at 5', () => journal.cursor('scripted') === 5);
    await forwarder.stop();
    await journal.close();
  });
});

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
