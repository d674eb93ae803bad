/**
 * Where normalized readings and events enter the durable feed. Everything a device produces, polled
 * or pushed, passes here on its way into the journal.
 */
import type { DeviceEvent, Reading } from '@sensegate/sdk';
import type { Journal } from '../journal/journal.js';
import type { Metrics } from '../metrics.js';
import type { PointNormalizer } from './normalize.js';

/** What devices write to: the journal in a running gateway, nothing in a dry run (`validate`, `plan`). */
export interface Feed {
  reading(reading: Reading, point: PointNormalizer): void;
  event(event: DeviceEvent): void;
}

/** A feed that keeps nothing, for commands that prepare devices without running them. */
export const discardFeed: Feed = { reading() {}, event() {} };

export class FeedWriter implements Feed {
  private readonly readingsIn;
  private readonly eventsIn;

  constructor(
    private readonly journal: Journal,
    metrics: Metrics,
  ) {
    this.readingsIn = metrics.counter('sensegate_readings_total', 'Readings produced by devices and written to the journal.').bind();
    this.eventsIn = metrics.counter('sensegate_events_total', 'Events produced and written to the journal.').bind();
  }

  reading(reading: Reading, point: PointNormalizer): void {
    this.journal.append('reading', point.json(reading));
    this.readingsIn.value++;
  }

  event(event: DeviceEvent): void {
    this.journal.append('event', JSON.stringify(event));
    this.eventsIn.value++;
  }
}
