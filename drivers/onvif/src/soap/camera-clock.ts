/**
 * The camera's clock as the gateway knows it: set from GetSystemDateAndTime, then run forward on
 * the gateway's monotonic clock, so a step of the gateway's wall clock (NTP, a manual change) does
 * not shift the time WS-Security tokens are made with.
 */
import { performance } from 'node:perf_hooks';

export class CameraClock {
  private cameraMs: number | undefined;
  private at = 0;

  /** The camera said its time is `cameraMs` (ms since the epoch), now. */
  set(cameraMs: number): void {
    this.cameraMs = cameraMs;
    this.at = performance.now();
  }

  get known(): boolean {
    return this.cameraMs !== undefined;
  }

  /** The camera's time now; the gateway's own before the camera was asked. */
  now(): number {
    return this.cameraMs === undefined ? Date.now() : this.cameraMs + (performance.now() - this.at);
  }
}
