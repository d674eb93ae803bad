// How the relay reports the plays and publishes it refuses: a scan of many connections from many
// addresses writes a warning when it starts and one summary when it stops (or now and then while
// it goes on), with exact counts in the log and in the metrics, never a line per connection.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createTestContext, delay, waitFor } from '@sensegate/sdk/testing';
import { Metrics } from '../src/metrics.js';
import { RefusalLog, type Refusal } from '../src/video/relay/refusals.js';

const refusal = (address: string, reason = 'camera-path'): Refusal => ({
  action: 'publish',
  protocol: 'rtmp',
  address,
  path: 'cam-1/main',
  reason,
  explanation: 'the path carries a relayed camera stream',
});

describe('video relay refusals', () => {
  it('logs the first of a kind, sums the episode up once it goes quiet, and counts every one', async () => {
    const context = createTestContext();
    const metrics = new Metrics();
    const log = new RefusalLog(context.log, { metrics, quietMs: 200, summaryEveryMs: 60_000 });
    for (let i = 0; i < 300; i++) log.record(refusal(i % 3 === 0 ? '10.0.0.9' : `10.0.1.${i % 7}`));
    log.record(refusal('10.0.0.9', 'unknown-path'));
    const warnings = context.logs.filter((l) => l.level === 'warn');
    assert.deepEqual(warnings.map((l) => l.fields.reason), ['camera-path', 'unknown-path']);
    assert.match(warnings[0]!.message, /^video relay: refused to let 10\.0\.0\.9 publish cam-1\/main over RTMP: the path carries a relayed camera stream\. Further refusals of this kind are counted/);

    const summaries = await waitFor('both summaries', () => {
      const lines = context.logs.filter((l) => l.level === 'info');
      return lines.length === 2 && lines;
    });
    const camera = summaries.find((l) => l.fields.reason === 'camera-path')!;
    assert.match(camera.message, /^video relay: 300 publish attempts refused \(camera-path\) in \d+ s, from 10\.0\.0\.9 \(100\), 10\.0\.1\.\d \(\d+\), .* and 3 more addresses; stopped \(none for 200 ms\)$/);
    assert.equal(camera.fields.refused, 300);
    assert.deepEqual(log.counts(), { 'publish:camera-path': 300, 'publish:unknown-path': 1 });
    assert.equal(metrics.counter('sensegate_video_refused_total', '').value({ action: 'publish', reason: 'camera-path' }), 300);
    // A new refusal after the quiet period starts a new episode, with a new first line.
    log.record(refusal('10.0.0.10'));
    assert.equal(context.logs.filter((l) => l.level === 'warn').length, 3);
    log.close();
    assert.equal(context.logs.length, 6, 'the episode still open is summed up when the relay stops');
  });

  it('sums a refusal storm that never stops up at intervals, and bounds the addresses it keeps', async () => {
    const context = createTestContext();
    const log = new RefusalLog(context.log, { quietMs: 10_000, summaryEveryMs: 150 });
    const until = Date.now() + 700;
    let n = 0;
    while (Date.now() < until) {
      // A spoofed scan: a new address for every attempt.
      for (let i = 0; i < 50; i++, n++) log.record(refusal(`10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`));
      await delay(20);
    }
    log.close();
    const lines = context.logs.length;
    assert.ok(lines >= 3 && lines <= 10, `${lines} log lines for ${n} refusals`);
    assert.equal(context.logs.filter((l) => l.level === 'warn').length, 1);
    const last = context.logs.at(-1)!;
    assert.match(last.message, new RegExp(`^video relay: ${n} publish attempts refused \\(camera-path\\) .* and more addresses; ended with the relay$`));
  });
});
