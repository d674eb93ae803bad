import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { defineSink, isRefused, isSink, refused, SensegateError, SINK_CONTRACT, type SinkEvents, type SinkInstance } from '@sensegate/sdk';

class NullSink extends EventEmitter<SinkEvents> implements SinkInstance {
  readonly name = 'null';
  readonly connected = true;
  async start() {}
  async send() {}
  async stop() {}
}

describe('defineSink', () => {
  it('refuses an incomplete definition with every problem named', () => {
    assert.throws(
      // @ts-expect-error deliberately incomplete
      () => defineSink({ type: 'Bad Type', version: '', description: '', config: z.string() }),
      /invalid sink definition "Bad Type": `type` must be a lowercase npm-style name; `version` is required; `description` is required; `create` must be a function; `config` must be a zod object schema/,
    );
  });

  it('refuses own fields that the gateway adds to every sink', () => {
    assert.throws(
      () => defineSink({ type: 'acme-sink', version: '1.0.0', description: 'x', config: z.object({ name: z.string(), inFlight: z.number() }), create: () => new NullSink() }),
      /`config` must not declare `name`, `inFlight`: the gateway adds those to every sink/,
    );
  });

  it('brands a good definition with the sink contract, so the gateway can recognize it', () => {
    const sink = defineSink({ type: '@acme/sink-x', version: '1.0.0', description: 'x', config: z.object({ url: z.string() }).strict(), create: () => new NullSink() });
    assert.ok(isSink(sink));
    assert.equal(sink.contract, SINK_CONTRACT);
    assert.ok(!isSink({ type: 'x' }));
  });

  it('refused() is the rejected-for-good answer, recognized by its code', () => {
    const err = refused('the collector answered 422', { cause: new Error('422') });
    assert.ok(err instanceof SensegateError);
    assert.equal(err.code, 'SG_MESSAGE_REFUSED');
    assert.equal(err.retryable, false);
    assert.ok(isRefused(err));
    assert.ok(isRefused({ code: 'SG_MESSAGE_REFUSED' }), 'from another copy of the SDK');
    assert.ok(!isRefused(new SensegateError('SG_SINK_REJECTED', '503')));
  });
});
