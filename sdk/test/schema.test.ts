import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { Backoff, byteSize, defineDriver, duration, isDriver, parseByteSize, parseDuration, SensegateError, toSensegateError } from '@sensegate/sdk';

describe('config helpers', () => {
  it('parses durations people write', () => {
    assert.equal(parseDuration('250ms'), 250);
    assert.equal(parseDuration('1.5s'), 1500);
    assert.equal(parseDuration('5m'), 300_000);
    assert.equal(parseDuration('24h'), 86_400_000);
    assert.equal(parseDuration('7d'), 604_800_000);
    assert.equal(parseDuration(42), 42);
    assert.equal(parseDuration('soon'), undefined);
    assert.equal(parseDuration('5 minutes'), undefined);
    const field = z.object({ every: duration('how often') });
    assert.equal(field.parse({ every: '10s' }).every, 10_000);
    assert.match(field.safeParse({ every: 'often' }).error!.issues[0]!.message, /duration/);
  });

  it('parses sizes in SI and binary units', () => {
    assert.equal(parseByteSize('1KiB'), 1024);
    assert.equal(parseByteSize('2GB'), 2e9);
    assert.equal(parseByteSize('512MiB'), 512 * 1024 * 1024);
    assert.equal(parseByteSize(100), 100);
    assert.equal(parseByteSize('lots'), undefined);
    assert.equal(z.object({ max: byteSize('max') }).parse({ max: '1MB' }).max, 1e6);
  });

  it('backs off exponentially with jitter up to the ceiling, and resets', () => {
    const b = new Backoff({ initialDelay: 100, maxDelay: 1000 }, () => 1);
    assert.deepEqual([b.next(), b.next(), b.next(), b.next(), b.next(), b.next()], [100, 200, 400, 800, 1000, 1000]);
    b.reset();
    assert.equal(b.next(), 100);
    const low = new Backoff({ initialDelay: 100, maxDelay: 1000 }, () => 0);
    assert.equal(low.next(), 50, 'never less than half the schedule');
  });
});

describe('errors', () => {
  it('carry a stable code, retryability from the catalogue, and where they came from', () => {
    const err = new SensegateError('SG_REQUEST_TIMEOUT', 'no answer from unit 3', { device: 'pump-1', status: 'timeout' });
    assert.equal(err.retryable, true);
    assert.match(err.action, /unit id/);
    assert.deepEqual(err.toJSON(), { code: 'SG_REQUEST_TIMEOUT', message: 'no answer from unit 3', retryable: true, device: 'pump-1', status: 'timeout' });
    const wrapped = toSensegateError(new TypeError('boom'), { driver: 'x' });
    assert.equal(wrapped.code, 'SG_DRIVER_FAILURE');
    assert.equal(wrapped.driver, 'x');
    assert.ok(wrapped.cause instanceof TypeError);
  });
});

describe('defineDriver', () => {
  it('refuses an incomplete definition with every problem named', () => {
    assert.throws(
      // @ts-expect-error deliberately incomplete
      () => defineDriver({ name: 'Bad Name', version: '', description: '', connection: z.object({}) }),
      /invalid driver definition "Bad Name": `name` must be a lowercase npm-style name; `version` is required; `create` must be a function; `point` must be a zod object schema/,
    );
  });

  it('brands a good definition so the gateway can recognize it', () => {
    const driver = defineDriver({
      name: '@acme/sensegate-driver-x',
      version: '1.0.0',
      description: 'x',
      connection: z.object({}),
      point: z.object({}),
      create: () => ({ addDevice() {}, removeDevice() {}, async stop() {} }),
    });
    assert.ok(isDriver(driver));
    assert.ok(!isDriver({ name: 'x' }));
  });
});
