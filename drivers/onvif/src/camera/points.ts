/** Which configured points carry which camera state, and publishing to them. */
import type { DriverContext, PublishOptions, Value } from '@sensegate/sdk';
import { sourceOf, type PointSource } from '../config/point.js';
import type { OnvifDevice } from './device.js';

export class CameraPoints {
  private readonly bySource = new Map<PointSource, string[]>();

  constructor(
    private readonly device: OnvifDevice,
    private readonly context: DriverContext,
  ) {
    for (const p of device.points) {
      const source = sourceOf(p);
      if (source === undefined || p.spec.enabled === false) continue;
      this.bySource.set(source, [...(this.bySource.get(source) ?? []), p.id]);
    }
  }

  has(source: PointSource): boolean {
    return this.bySource.has(source);
  }

  publish(source: PointSource, value: Value, options: PublishOptions = {}): void {
    for (const id of this.bySource.get(source) ?? []) this.context.publish(this.device.id, id, value, options);
  }
}
