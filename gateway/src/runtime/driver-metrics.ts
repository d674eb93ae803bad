/**
 * `DriverContext.metrics` over the gateway's own registry: a driver's counters and gauges are
 * served with every other metric, each series labelled with the driver's name (a `driver` label
 * a driver sets itself is replaced, so one driver cannot write another's series).
 */
import { checkMetricNames, type DriverMetrics, type MetricLabels } from '@sensegate/sdk';
import type { Metrics } from '../metrics.js';

export function driverMetrics(metrics: Metrics, driver: string): DriverMetrics {
  const labelled = (name: string, labels: MetricLabels | undefined) => {
    checkMetricNames(name, labels);
    return { ...labels, driver };
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
