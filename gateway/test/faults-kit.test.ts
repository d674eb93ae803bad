// The fault suite's consumer-side checker: what it reports from messages as a platform receives them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DataMessage, Received } from './support/feed.js';
import { checkFeed } from './support/faults.js';

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
