// The parts of the station-listener skeleton, each on its own: what reaches a log line, who a peer
// is, the growing refusal after wrong passwords, connection slots, the memory budget, the log limit
// across connections, and how a shared server's settings follow from its stations.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import {
  AllowList,
  AuthBackoff,
  ConnectionSlots,
  LogLimiter,
  MemoryBudget,
  combineListenerSettings,
  jsonSchemaOf,
  peerKey,
  plainAddress,
  printable,
  stationListenerFields,
  type LineKind,
} from '../src/index.js';
import { createTestContext } from '../src/testing/index.js';

describe('printable: wire text in a log line', () => {
  it('escapes what could start a line, move the cursor or reorder the text, and keeps the rest', () => {
    assert.equal(printable('CN=20\n11\r\nINFO forged'), 'CN=20\\n11\\r\\nINFO forged');
    assert.equal(printable('\u001b[31mred\u0007'), '\\x1b[31mred\\x07');
    assert.equal(printable('abc\u202edcba\u2028'), 'abc\\u202edcba\\u2028');
    assert.equal(printable('a\tb\u0085c'), 'a\\tb\\x85c');
    assert.equal(printable('plain text, 水位 1.5 m; ok'), 'plain text, 水位 1.5 m; ok');
  });

  it('cuts long text and says how long it was', () => {
    assert.equal(printable('x'.repeat(50), 10), `${'x'.repeat(10)}... (50 characters)`);
  });
});

describe('peers', () => {
  it('counts IPv4 by address, IPv4 seen through IPv6 as IPv4, and IPv6 by its /64', () => {
    assert.equal(peerKey('10.1.2.3'), '10.1.2.3');
    assert.equal(peerKey('::ffff:10.1.2.3'), '10.1.2.3');
    assert.equal(plainAddress('::ffff:10.1.2.3'), '10.1.2.3');
    assert.equal(peerKey('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
    assert.equal(peerKey('2001:db8:1:2:bbbb:cccc:dddd:eeee'), '2001:db8:1:2::/64');
    assert.equal(peerKey('2001:db8::7'), '2001:db8::/64');
    assert.equal(peerKey('fe80::1%eth0'), 'fe80::/64');
    assert.equal(peerKey('64:ff9b::192.0.2.1'), '64:ff9b::/64');
  });

  it('matches allow-lists on the plain address', () => {
    const list = new AllowList(['10.0.0.0/8', 'fd00::/8']);
    assert.ok(list.allows('::ffff:10.9.9.9'));
    assert.ok(list.allows('fd12::1'));
    assert.ok(!list.allows('192.0.2.1'));
    assert.ok(!list.allows(undefined));
  });
});

describe('authBackoff: growing refusal after wrong passwords', () => {
  const clock = () => {
    let now = 1_000_000;
    return { now: () => now, pass: (ms: number) => void (now += ms) };
  };

  it('doubles with every wrong password up to maxDelay, and a success ends it', () => {
    const time = clock();
    const backoff = new AuthBackoff({ initialDelay: 2000, maxDelay: 10_000 }, time.now);
    assert.deepEqual([1, 2, 3, 4, 5].map(() => backoff.failed('10.0.0.7')), [2000, 4000, 8000, 10_000, 10_000]);
    assert.equal(backoff.remaining('10.0.0.7'), 10_000);
    assert.equal(backoff.remaining('10.0.0.8'), 0, 'another address is not refused');
    time.pass(4000);
    assert.equal(backoff.remaining('10.0.0.7'), 6000);
    backoff.succeeded('10.0.0.7');
    assert.equal(backoff.remaining('10.0.0.7'), 0);
    assert.equal(backoff.failed('10.0.0.7'), 2000, 'after a success it starts from the beginning');
  });

  it('forgets an address that stayed quiet for maxDelay after its refusal ended', () => {
    const time = clock();
    const backoff = new AuthBackoff({ initialDelay: 1000, maxDelay: 8000 }, time.now);
    backoff.failed('a');
    backoff.failed('a');
    time.pass(2000 + 7999);
    assert.equal(backoff.failed('a'), 4000, 'still remembered just before');
    time.pass(4000 + 8000);
    assert.equal(backoff.failed('a'), 1000, 'forgotten after a quiet maxDelay');
  });

  it('keeps a bounded table, forgetting the longest-quiet address first', () => {
    const time = clock();
    const backoff = new AuthBackoff({ initialDelay: 1000, maxDelay: 60_000 }, time.now, 3);
    for (const peer of ['a', 'b', 'c', 'd']) backoff.failed(peer);
    assert.equal(backoff.size, 3);
    assert.equal(backoff.remaining('a'), 0);
    assert.equal(backoff.remaining('d'), 1000);
  });
});

describe('connection slots', () => {
  it('refuses beyond the per-address share and beyond the total, and gives slots back', () => {
    const slots = new ConnectionSlots(() => ({ total: 4, perAddress: 2 }));
    assert.deepEqual(['a', 'a', 'a'].map((p) => slots.take(p)), [undefined, undefined, 'address-limit']);
    assert.deepEqual(['b', 'c', 'd'].map((p) => slots.take(p)), [undefined, undefined, 'listener-full']);
    slots.give('a');
    assert.equal(slots.openFrom('a'), 1);
    assert.equal(slots.take('d'), undefined);
    assert.equal(slots.open, 4);
  });
});

describe('memory budget', () => {
  it('reserves while the total fits, refuses beyond, and tells the gauge', () => {
    const seen: number[] = [];
    const budget = new MemoryBudget(100, (used) => seen.push(used));
    assert.ok(budget.reserve(60));
    assert.ok(!budget.reserve(41), 'a newcomer does not evict what is held');
    assert.ok(budget.reserve(40));
    budget.release(70);
    assert.equal(budget.used, 30);
    assert.deepEqual(seen, [60, 100, 30]);
  });
});

describe('log limit across connections', () => {
  it('writes a few lines per kind, then sums up the rest with the number of addresses, and counts them', () => {
    const ctx = createTestContext();
    const counted: LineKind[] = [];
    const limiter = new LogLimiter(ctx.log, { lines: 2, interval: 60_000 }, () => '0.0.0.0:5651', (kind) => counted.push(kind));
    for (let i = 0; i < 100; i++) limiter.write({ kind: 'malformed', peer: `10.0.0.${i % 7}`, message: `malformed data from 10.0.0.${i % 7}` });
    limiter.write({ kind: 'refused', peer: '10.0.0.1', message: 'refused CN 2011' });
    assert.equal(ctx.logs.length, 3, 'two malformed, one refused');
    limiter.flush();
    const summary = ctx.logs.at(-1)!;
    assert.equal(summary.message, 'suppressed 98 log lines on 0.0.0.0:5651 in the last 1 min: 98 malformed data from 7 addresses; every event is counted in the sensegate_listener_* metrics');
    assert.deepEqual(summary.fields, { suppressed: 98, kinds: { malformed: { lines: 98, addresses: 7 } } });
    assert.equal(counted.length, 98);
    limiter.flush();
    assert.equal(ctx.logs.length, 4, 'nothing left out, no summary');
    limiter.write({ kind: 'malformed', peer: '10.0.0.1', message: 'a new interval writes again' });
    assert.equal(ctx.logs.length, 5);
    limiter.close();
  });

  it('escapes what a peer sent in the message and in string fields', () => {
    const ctx = createTestContext();
    const limiter = new LogLimiter(ctx.log, { lines: 5, interval: 60_000 }, () => 'here');
    limiter.write({ kind: 'refused', message: 'refused CN 20\n11', fields: { cn: '20\r\n11', count: 3 } });
    assert.deepEqual(ctx.logs[0], { level: 'warn', message: 'refused CN 20\\n11', fields: { cn: '20\\r\\n11', count: 3 } });
    limiter.close();
  });
});

describe('settings of a shared server', () => {
  const fields = z.object(stationListenerFields({ idleTimeout: 300_000 })).strict();

  it('documents every field and rejects unknown keys', () => {
    const properties = (jsonSchemaOf(fields) as { properties: Record<string, { description?: string; properties?: Record<string, { description?: string }> }> }).properties;
    for (const [name, property] of Object.entries(properties)) {
      assert.ok(property.description, `${name} is described`);
      for (const [inner, field] of Object.entries(property.properties ?? {})) assert.ok(field.description, `${name}.${inner} is described`);
    }
    assert.ok(!fields.safeParse({ maxConnectionsPerAdress: 3 }).success);
    assert.ok(!fields.safeParse({ authBackoff: { initialDelay: '1s', maxDelay: '1m', jitter: true } }).success);
  });

  it('takes the strictest protection and the longest timers of its stations', () => {
    const a = fields.parse({ maxConnections: 100, maxConnectionsPerAddress: 4, authTimeout: '10s', idleTimeout: '1m', authBackoff: { initialDelay: '1s' }, allow: ['10.0.0.0/8'] });
    const b = fields.parse({ maxConnectionsPerAddress: 32, authTimeout: '2m', maxReassemblyBytes: '1MiB', logLimit: { lines: 9, interval: '5m' }, allow: ['192.0.2.7'] });
    const s = combineListenerSettings([a, b]);
    assert.equal(s.maxConnections, 100);
    assert.equal(s.maxConnectionsPerAddress, 4);
    assert.equal(s.idleTimeout, 300_000);
    assert.equal(s.authTimeout, 120_000);
    assert.deepEqual(s.authBackoff, { initialDelay: 2000, maxDelay: 300_000 });
    assert.equal(s.maxReassemblyBytes, 1_048_576);
    assert.deepEqual(s.logLimit, { lines: 5, interval: 300_000 });
    assert.ok(s.allow?.allows('192.0.2.7') && s.allow.allows('10.1.1.1') && !s.allow.allows('192.0.2.8'));
    assert.equal(combineListenerSettings([a, fields.parse({})]).allow, undefined, 'one station without a list: no refusal on arrival');
  });

  it('never waits longer for the first accepted frame than for any frame', () => {
    const s = combineListenerSettings([fields.parse({ authTimeout: '10m', idleTimeout: '30s' })]);
    assert.equal(s.authTimeout, 30_000);
    assert.equal(s.authTimeoutSetting, 'idleTimeout');
  });
});
