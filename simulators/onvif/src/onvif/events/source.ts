/**
 * One camera's event source, kept apart from its XML: the motion and tamper states, the pull-point
 * subscriptions with their queues and termination times, and the long polls waiting on them.
 */

export const TOPICS = {
  motion: 'tns1:RuleEngine/CellMotionDetector/Motion',
  tamper: 'tns1:VideoSource/GlobalSceneChange/ImagingService',
} as const;

export type PropertyOperation = 'Initialized' | 'Changed' | 'Deleted';

export interface CameraEvent {
  readonly topic: string;
  /** The camera's clock when it happened. */
  readonly utcTime: number;
  readonly operation: PropertyOperation;
  readonly source: readonly (readonly [string, string])[];
  readonly data: readonly (readonly [string, string])[];
}

/** How long a motion lasts when `motion(id)` is called without `on`, and a tamper alarm. */
export const EVENT_PULSE_MS = 1000;
/** Messages kept per subscription for a client that does not pull; the oldest go first. */
export const MAX_QUEUED = 100;
export const MAX_SUBSCRIPTIONS = 16;

export class SubscriptionGone extends Error {}

interface Subscription {
  readonly id: number;
  /** True time (Date.now) after which the subscription is gone. */
  expiresAt: number;
  readonly queue: CameraEvent[];
  /** The pending PullMessages, woken when a message arrives or the subscription ends. */
  waiter: (() => void) | undefined;
}

export interface EventSourceOptions {
  /** The VideoSourceConfigurationToken of motion events. */
  videoSourceConfiguration: string;
  /** The VideoSourceToken of tamper events. */
  videoSource: string;
  /** The camera's clock, for UtcTime. */
  now: () => number;
}

export class EventSource {
  private readonly subscriptions = new Map<number, Subscription>();
  private nextId = 1;
  private motionOn = false;
  private tamperOn = false;
  private readonly timers = new Set<NodeJS.Timeout>();
  private schedule: NodeJS.Timeout | undefined;

  constructor(private readonly options: EventSourceOptions) {}

  /** Motion starts (`on` true), ends (false), or starts and ends EVENT_PULSE_MS later (undefined). */
  motion(on?: boolean): void {
    if (on === undefined) {
      this.motion(true);
      this.later(() => this.motion(false), EVENT_PULSE_MS);
      return;
    }
    if (on === this.motionOn) return;
    this.motionOn = on;
    this.publish(this.motionEvent('Changed'));
  }

  /** The scene changed (the camera was covered or turned); the alarm clears EVENT_PULSE_MS later. */
  tamper(): void {
    this.tamperOn = true;
    this.publish(this.tamperEvent('Changed'));
    this.later(() => {
      this.tamperOn = false;
      this.publish(this.tamperEvent('Changed'));
    }, EVENT_PULSE_MS);
  }

  /** A motion pulse every `ms` (0 or undefined stops it). */
  motionEvery(ms: number | undefined): void {
    if (this.schedule) clearInterval(this.schedule);
    this.schedule = undefined;
    if (ms) {
      this.schedule = setInterval(() => this.motion(), ms);
      this.schedule.unref();
    }
  }

  get motionActive(): boolean {
    return this.motionOn;
  }

  /** A new pull point, its queue holding the current state of every property (Initialized). */
  subscribe(lifetimeMs: number): { id: number; expiresAt: number } {
    this.sweep();
    if (this.subscriptions.size >= MAX_SUBSCRIPTIONS) throw new RangeError(`at most ${MAX_SUBSCRIPTIONS} subscriptions at once`);
    const sub: Subscription = { id: this.nextId++, expiresAt: Date.now() + lifetimeMs, queue: [], waiter: undefined };
    this.subscriptions.set(sub.id, sub);
    this.synchronize(sub.id);
    return { id: sub.id, expiresAt: sub.expiresAt };
  }

  /**
   * Up to `limit` queued messages, at once when some are queued, else as soon as one arrives or
   * after `timeoutMs` (then none). Throws SubscriptionGone for an unknown or expired subscription.
   */
  async pull(id: number, limit: number, timeoutMs: number): Promise<{ messages: CameraEvent[]; expiresAt: number }> {
    let sub = this.live(id);
    if (sub.queue.length === 0) {
      await new Promise<void>((resolve) => {
        sub.waiter?.(); // a second pull on the same subscription answers the first one empty
        const timer = setTimeout(wake, timeoutMs);
        function wake() {
          clearTimeout(timer);
          if (sub.waiter === wake) sub.waiter = undefined;
          resolve();
        }
        sub.waiter = wake;
      });
      sub = this.live(id);
    }
    return { messages: sub.queue.splice(0, limit), expiresAt: sub.expiresAt };
  }

  renew(id: number, lifetimeMs: number): number {
    const sub = this.live(id);
    sub.expiresAt = Date.now() + lifetimeMs;
    return sub.expiresAt;
  }

  unsubscribe(id: number): void {
    this.end(this.live(id));
  }

  /** Queues the current state of every property again (SetSynchronizationPoint). */
  synchronize(id: number): void {
    const sub = this.live(id);
    this.enqueue(sub, this.motionEvent('Initialized'));
    this.enqueue(sub, this.tamperEvent('Initialized'));
  }

  /** Every subscription expires now; its pending pull answers and later calls get SubscriptionGone. */
  expireAll(): number {
    const count = this.subscriptions.size;
    for (const sub of [...this.subscriptions.values()]) this.end(sub);
    return count;
  }

  get subscriptionCount(): number {
    this.sweep();
    return this.subscriptions.size;
  }

  close(): void {
    this.motionEvery(undefined);
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.expireAll();
  }

  private motionEvent(operation: PropertyOperation): CameraEvent {
    return {
      topic: TOPICS.motion,
      utcTime: this.options.now(),
      operation,
      source: [
        ['VideoSourceConfigurationToken', this.options.videoSourceConfiguration],
        ['VideoAnalyticsConfigurationToken', 'VideoAnalyticsConfig'],
        ['Rule', 'MyMotionDetectorRule'],
      ],
      data: [['IsMotion', String(this.motionOn)]],
    };
  }

  private tamperEvent(operation: PropertyOperation): CameraEvent {
    return { topic: TOPICS.tamper, utcTime: this.options.now(), operation, source: [['Source', this.options.videoSource]], data: [['State', String(this.tamperOn)]] };
  }

  private publish(event: CameraEvent): void {
    this.sweep();
    for (const sub of this.subscriptions.values()) this.enqueue(sub, event);
  }

  private enqueue(sub: Subscription, event: CameraEvent): void {
    sub.queue.push(event);
    if (sub.queue.length > MAX_QUEUED) sub.queue.shift();
    sub.waiter?.();
  }

  private live(id: number): Subscription {
    this.sweep();
    const sub = this.subscriptions.get(id);
    if (!sub) throw new SubscriptionGone(`subscription ${id} does not exist or has expired; create a new one`);
    return sub;
  }

  private end(sub: Subscription): void {
    this.subscriptions.delete(sub.id);
    sub.waiter?.();
  }

  private sweep(): void {
    const now = Date.now();
    for (const sub of [...this.subscriptions.values()]) if (sub.expiresAt <= now) this.end(sub);
  }

  private later(action: () => void, ms: number): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      action();
    }, ms);
    t.unref();
    this.timers.add(t);
  }
}
