/**
 * `DriverContext.metrics` and `SinkContext.metrics` over the gateway's own registry: a plug-in's
 * counters and gauges are served with every other metric, each series labelled with the driver's
 * name (or the sink's): a `driver` (`sink`) label a plug-in sets itself is replaced, so one
 * cannot write another's series.
 */
import { checkMetricNames, type DriverMetrics, type MetricLabels } from '@sensegate/sdk';
import type { Metrics } from '../metrics.js';

export function driverMetrics(metrics: Metrics, driver: string): DriverMetrics {
  return labelledMetrics(metrics, { driver });
}

export function sinkMetrics(metrics: Metrics, sink: string): DriverMetrics {
  return labelledMetrics(metrics, { sink });
}

function labelledMetrics(metrics: Metrics, owner: MetricLabels): DriverMetrics {
  const labelled = (name: string, labels: MetricLabels | undefined) => {
    checkMetricNames(name, labels);
    return { ...labels, ...owner };
  };
  return {
    counter(name, help, labels) {
      const series = metrics.counter(name, help).bind(labelled(name, labels));
      return {
        inc: (by = 1) => {
          if (by > 0) series.value += by;
        },
      };
    },
    gauge(name, help, labels) {
      const series = metrics.gauge(name, help).bind(labelled(name, labels));
      return { set: (value) => void (series.value = value) };
    },
  };
}
