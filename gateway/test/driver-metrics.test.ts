// What a driver counts through `context.metrics` is served with the gateway's own metrics, each
// series labelled with the driver, and no driver can write another driver's series.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Metrics } from '../src/metrics.js';
import { driverMetrics } from '../src/runtime/driver-metrics.js';

describe('driver metrics in the gateway', () => {
  it('labels every series with the driver and renders it with the other metrics', () => {
    const metrics = new Metrics();
    const hj212 = driverMetrics(metrics, 'hj212');
    const sl651 = driverMetrics(metrics, 'sl651');
    const refused = hj212.counter('sensegate_listener_connections_refused_total', 'Connections closed on arrival, by reason.', { listen: '0.0.0.0:212', reason: 'backoff' });
    refused.inc();
    refused.inc(2);
    sl651.counter('sensegate_listener_connections_refused_total', 'Connections closed on arrival, by reason.', { listen: '0.0.0.0:5651', reason: 'backoff' }).inc();
    hj212.gauge('sensegate_listener_connections', 'Connections open on a station listener.', { listen: '0.0.0.0:212' }).set(7);
    assert.deepEqual(metrics.snapshot().sensegate_listener_connections_refused_total, [
      { labels: { listen: '0.0.0.0:212', reason: 'backoff', driver: 'hj212' }, value: 3 },
      { labels: { listen: '0.0.0.0:5651', reason: 'backoff', driver: 'sl651' }, value: 1 },
    ]);
    assert.match(metrics.render(), /^sensegate_listener_connections\{listen="0\.0\.0\.0:212",driver="hj212"\} 7$/m);
  });

  it('keeps a driver to its own series, and refuses names Prometheus would not take', () => {
    const metrics = new Metrics();
    driverMetrics(metrics, 'modbus').counter('sensegate_x_total', 'x', { driver: 'hj212' }).inc();
    assert.deepEqual(metrics.snapshot().sensegate_x_total, [{ labels: { driver: 'modbus' }, value: 1 }]);
    const m = driverMetrics(metrics, 'modbus');
    assert.throws(() => m.counter('bad name', 'x'), /metric name "bad name"/);
    assert.throws(() => m.gauge('sensegate_ok', 'x', { 'bad-label': 'v' }), /label "bad-label"/);
    assert.throws(() => m.gauge('sensegate_x_total', 'x'), /already registered as a counter/);
  });
});
