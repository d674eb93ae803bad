// Recognising retransmissions without keeping packets (src/station/recent-packets.ts), and reading
// values without a regex (src/station/values.ts): both run for every upload.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Packet } from '@sensegate/driver-hj212/protocol';
import { digest53 } from '../src/station/digest.js';
import { RecentPackets } from '../src/station/recent-packets.js';
import { toValue } from '../src/station/values.js';
import { picker, random } from './support/random.js';

const packet = (qn: string | undefined, cp: string, more: Partial<Packet> = {}): Packet => ({
  ...(qn !== undefined ? { qn } : {}),
  st: '22',
  cn: '2011',
  pw: '123456',
  mn: 'AIR0000000000000000000001',
  flag: 5,
  cp,
  ...more,
});

describe('recent packets', () => {
  it('recognises a packet sent again, and nothing that differs in CN, QN, PNO or CP', () => {
    const recent = new RecentPackets(64);
    const sent = packet('20240501100000123', 'DataTime=20240501100000;a34004-Rtd=35');
    assert.equal(recent.has(sent), false);
    recent.remember(sent);
    assert.equal(recent.has({ ...sent }), true);
    // Flag, ST and PW are not part of what makes a retransmission.
    assert.equal(recent.has({ ...sent, flag: 4, st: '91' }), true);
    assert.equal(recent.has({ ...sent, cn: '2051' }), false);
    assert.equal(recent.has({ ...sent, qn: '20240501100000124' }), false);
    assert.equal(recent.has({ ...sent, qn: '120240501100000123' }), false);
    assert.equal(recent.has({ ...sent, qn: '0240501100000123' }), false);
    assert.equal(recent.has({ ...sent, pno: 1, pnum: 2 }), false);
    assert.equal(recent.has({ ...sent, cp: 'DataTime=20240501100000;a34004-Rtd=36' }), false);
    assert.equal(recent.has({ ...sent, cp: 'DataTime=20240501100000;a34004-Rtd=35;' }), false);
  });

  it('keeps both packets of a logger that reuses a QN for new data, and never remembers one without QN', () => {
    const recent = new RecentPackets(64);
    const a = packet('20240501100000000', 'a34004-Rtd=1');
    const b = packet('20240501100000000', 'a34004-Rtd=2');
    recent.remember(a);
    assert.equal(recent.has(b), false);
    recent.remember(b);
    assert.equal(recent.has(a), true);
    assert.equal(recent.has(b), true);
    const noQn = packet(undefined, 'a34004-Rtd=1');
    recent.remember(noQn);
    assert.equal(recent.has(noQn), false);
  });

  it('forgets the oldest beyond its size, QN index included', () => {
    const recent = new RecentPackets(64);
    const nth = (n: number) => packet(`20240501100000${String(n % 50).padStart(3, '0')}`, `a34004-Rtd=${n}`, n % 3 ? {} : { pnum: 3, pno: 1 + (n % 3) });
    for (let n = 0; n < 200; n++) recent.remember(nth(n));
    for (let n = 0; n < 200; n++) assert.equal(recent.has(nth(n)), n >= 136, `packet ${n}`);
  });

  it('digests equal texts equally and different texts differently, short or long, any script', () => {
    const { int, text } = picker(random(212));
    const seen = new Map<number, string>();
    for (let n = 0; n < 20_000; n++) {
      const t = text('a34004-Rtd=,;.Flag=N环境\u00e9', int(n < 100 ? 5 : 400));
      const d = digest53(t);
      assert.ok(Number.isSafeInteger(d) && d >= 0);
      const before = seen.get(d);
      assert.ok(before === undefined || before === t, `${JSON.stringify(before)} and ${JSON.stringify(t)} collide`);
      seen.set(d, t);
      assert.equal(digest53(t.slice(0)), d);
    }
    const long = 'x'.repeat(30_000); // beyond the scratch buffer: digested by character
    assert.equal(digest53(long), digest53('x'.repeat(30_000)));
    assert.notEqual(digest53(long), digest53(`${'x'.repeat(29_999)}y`));
    // Trailing bytes of the last word do not leak from an earlier, longer text.
    digest53('abcdefgh');
    const short = digest53('abcde');
    digest53('zzzzzzzzzzzz');
    assert.equal(digest53('abcde'), short);
  });
});

describe('values as numbers or text', () => {
  const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
  /** The reading as first written, with the regex. */
  const reference = (text: string) => {
    const trimmed = text.trim();
    if (trimmed === '') return null;
    return NUMBER.test(trimmed) ? Number(trimmed) : text;
  };

  it('reads numbers, text and empty values as before', () => {
    for (const sample of ['35', '-1.5e3', '+.5', '5.', '.', '-', 'e5', '1e', '1e+', '0x10', ' 7.35 ', '\t1\n', '\u00a012\u3000', 'running', '', '   ', '1,5', 'NaN', 'Infinity', '１２']) {
      assert.deepEqual(toValue(sample), reference(sample), JSON.stringify(sample));
    }
    const { int, text } = picker(random(212));
    for (let n = 0; n < 20_000; n++) {
      const sample = text('0123456789+-.eE x\u00a0', int(8));
      assert.deepEqual(toValue(sample), reference(sample), JSON.stringify(sample));
    }
  });
});
