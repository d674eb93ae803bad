/**
 * The process's own figures, read when the metrics are read (a scrape), never on a timer: CPU time,
 * resident memory, heap, start time, and how late the event loop ran timers since the previous
 * scrape. Names follow the Prometheus client libraries' `process_*` conventions, so the usual
 * dashboards and alerts work unchanged; what is the gateway's own is `sensegate_*`.
 *
 * The event-loop delay is sampled by Node's `monitorEventLoopDelay` (a native timer, nothing on the
 * JavaScript hot path); each read reports the window since the previous read and starts a new one,
 * so two scrapers reading at once each see part of the interval.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { Metrics } from '../metrics.js';

/** Resolution of the event-loop delay sampler, ms. */
const LOOP_RESOLUTION = 10;

export interface ProcessMetrics {
  stop(): void;
}

export function processMetrics(metrics: Metrics, identity: { version: string; gateway: string }): ProcessMetrics {
  metrics.gauge('sensegate_info', 'Always 1; the labels say which gateway this is and the version it runs.').set(1, identity);
  const cpu = metrics.counter('process_cpu_seconds_total', 'CPU time the gateway process used, user and system together, in seconds.').bind();
  const cpuUser = metrics.counter('process_cpu_user_seconds_total', 'CPU time the gateway process used in user mode, in seconds.').bind();
  const cpuSystem = metrics.counter('process_cpu_system_seconds_total', 'CPU time the gateway process used in the kernel, in seconds.').bind();
  const rss = metrics.gauge('process_resident_memory_bytes', 'Resident memory of the gateway process, in bytes.').bind();
  const heap = metrics.gauge('sensegate_heap_used_bytes', 'JavaScript heap in use (V8), in bytes.').bind();
  metrics
    .gauge('process_start_time_seconds', 'When the gateway process started, in seconds since the Unix epoch.')
    .bind().value = Math.round((Date.now() / 1000 - process.uptime()) * 1000) / 1000;
  const lag = metrics.gauge(
    'sensegate_event_loop_lag_seconds',
    'How late the event loop ran timers over the time since the previous scrape, in seconds: `stat` is p99 (the 99th percentile), mean or max.',
  );
  const lagP99 = lag.bind({ stat: 'p99' });
  const lagMean = lag.bind({ stat: 'mean' });
  const lagMax = lag.bind({ stat: 'max' });

  let loop: IntervalHistogram | undefined = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION });
  loop.enable();

  const stopCollecting = metrics.collect(() => {
    const used = process.cpuUsage();
    cpuUser.value = used.user / 1e6;
    cpuSystem.value = used.system / 1e6;
    cpu.value = (used.user + used.system) / 1e6;
    rss.value = process.memoryUsage.rss();
    heap.value = process.memoryUsage().heapUsed;
    if (!loop) return;
    // The sampler measures the delay beyond its own resolution; no sample yet reads as no lag.
    const sampled = loop.count > 0;
    lagP99.value = sampled ? Math.max(0, loop.percentile(99) / 1e9 - LOOP_RESOLUTION / 1000) : 0;
    lagMean.value = sampled ? Math.max(0, loop.mean / 1e9 - LOOP_RESOLUTION / 1000) : 0;
    lagMax.value = sampled ? Math.max(0, loop.max / 1e9 - LOOP_RESOLUTION / 1000) : 0;
    loop.reset();
  });

  return {
    stop() {
      stopCollecting();
      loop?.disable();
      loop = undefined;
    },
  };
}
