// The fault suite's consumer-side checker: what it reports from messages as a platform receives them,
// and how it tells a gap the broker made (a message it acknowledged and then dropped for the
// consumer) from one the gateway made.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import mqtt from 'mqtt';
import { waitFor } from '@sensegate/sdk/testing';
import { findMosquitto, privateMosquitto } from './support/broker.js';
import type { DataMessage, Received } from './support/feed.js';
import { checkFeed, explainGaps, SeqWitness } from './support/faults.js';

function message(seq: number, values: number[]): Received<DataMessage> {
  const payload: DataMessage = {
    v: 1,
    gateway: 'g',
    seq,
    historical: false,
    sent: 0,
    readings: values.map((value, i) => ({ device: 'd', point: 'p', value, quality: 'good', ts: 1000 + seq + i }) as never),
  };
  return { topic: 't/data', at: 0, retain: false, payload, raw: JSON.stringify(payload) };
}

describe('checkFeed', () => {
  it('counts a clean run as whole', () => {
    const c = checkFeed([message(1, [1, 2, 3]), message(4, [4, 5])]);
    assert.deepEqual([c.received, c.distinct, c.first, c.last, c.missing, c.doubled, c.collisions], [5, 5, 1, 5, 0, 0, 0]);
  });

  it('tells duplicates (same entry again) from collisions (another entry under the same seq) and gaps', () => {
    const replayed = message(1, [1, 2, 3]);
    const c = checkFeed([replayed, message(4, [4]), replayed, message(3, [99]), message(9, [9, 10])]);
    assert.equal(c.received, 10);
    assert.equal(c.doubled, 3, 'seq 1, 2 and 3 arrived twice with the same entry');
    assert.equal(c.collisions, 1, 'seq 3 arrived with another value');
    assert.deepEqual(c.collisionSamples, [3]);
    assert.equal(c.missing, 4);
    assert.deepEqual(c.missingRanges, ['5..8']);
  });
});

describe('whose gap it is', { skip: findMosquitto() ? false : 'Mosquitto is not installed (apt-get install mosquitto)' }, () => {
  it('a message the broker acknowledged and dropped for the consumer is the bench\'s loss; one never published is the gateway\'s', async () => {
    // A broker that queues at most 2 messages for a consumer that is away: the 3rd to 5th are
    // acknowledged to the publisher and dropped for the consumer, each a whole message missing.
    const broker = (await privateMosquitto('listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\nmax_queued_messages 2\n'))!;
    const topic = 'sensegate/v1/g/data';
    const clientId = `test-away-${process.pid}`;
    const witness = await SeqWitness.connect(broker.url, 'g', { persistent: true });
    let consumer = await mqtt.connectAsync(broker.url, { clean: false, clientId, reconnectPeriod: 0 });
    const publisher = await mqtt.connectAsync(broker.url, { clean: true, reconnectPeriod: 0 });
    try {
      await consumer.subscribeAsync(topic, { qos: 1 });
      await consumer.endAsync();
      const publish = (seq: number) => publisher.publishAsync(topic, JSON.stringify(message(seq, [seq]).payload), { qos: 1 });
      for (let seq = 1; seq <= 5; seq++) await publish(seq);
      const received: Array<Received<DataMessage>> = [];
      consumer = mqtt.connect(broker.url, { clean: false, clientId, reconnectPeriod: 0 });
      consumer.on('message', (t, payload, packet) => {
        const raw = payload.toString('utf8');
        received.push({ topic: t, at: Date.now(), retain: packet.retain, raw, payload: JSON.parse(raw) });
      });
      await new Promise((resolve) => consumer.once('connect', resolve));
      // The consumer is back; seq 10 is never published: what a gateway that lost it would do.
      for (const seq of [6, 7, 8, 9, 11]) await publish(seq);
      await waitFor('the consumer to receive seq 11', () => received.some((m) => m.payload.seq === 11) || undefined);
      await waitFor('the witness to receive seq 11', () => witness.countIn(11, 11) === 1 || undefined);

      const check = checkFeed(received);
      assert.deepEqual(check.gaps, [[3, 5], [10, 10]]);
      const whose = explainGaps(check, witness, broker);
      assert.match(whose, /seq 3\.\.5: the witness received all 3: .*the bench's loss/);
      assert.match(whose, /seq 10\.\.10: the witness lacks all 1 too: .*the gateway's loss/);
      assert.match(whose, /Outgoing messages are being dropped for client test-away-/);
    } finally {
      await publisher.endAsync(true);
      await consumer.endAsync(true);
      await witness.close();
      await broker.close();
    }
  });
});
