/**
 * The pull-point subscription: CreatePullPointSubscription with the
 * configured termination, PullMessages long polls that end before the renewal is due, Renew when
 * half of the lifetime is left, and a new subscription when the camera no longer knows the old one.
 * A network failure ends the loop and is reported to the session, which reconnects.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger, SensegateError } from '@sensegate/sdk';
import { cameraError, isResourceUnknown, messageOf } from './errors.js';
import { readNotifications, readRenewal, readSubscription, type Notification } from './notification.js';
import type { OnvifClient } from './onvif-client.js';
import { NS, element, operation } from '../soap/envelope.js';
/** Faults in a row (other than network failures) after which the session reconnects. */
const MAX_FAULTS = 5;

export interface PullPointOptions {
  device: string;
  terminationMs: number;
  pullTimeoutMs: number;
  log: Logger;
  onNotifications(list: Notification[]): void;
  /** The camera stopped answering: the session reconnects. */
  onLost(err: SensegateError): void;
}

export interface PullPointStats {
  created: number;
  renewed: number;
  pulls: number;
  messages: number;
}

const isoDuration = (ms: number) => `PT${Math.max(1, Math.round(ms / 100) / 10)}S`;

export class PullPointEvents {
  readonly stats: PullPointStats = { created: 0, renewed: 0, pulls: 0, messages: 0 };
  private running = false;
  private address: string | undefined;
  private renewAt = 0;
  private readonly stopped = new AbortController();
  private loop: Promise<void> | undefined;
  private creating: Promise<void> | undefined;

  constructor(
    private readonly client: OnvifClient,
    private readonly options: PullPointOptions,
  ) {}

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  /** Ends the loop; with `unsubscribe`, tells the camera (an orderly stop, not a lost camera). */
  async stop(unsubscribe: boolean): Promise<void> {
    this.running = false;
    this.stopped.abort();
    // A subscription being created now would outlive the gateway's interest in it: wait for its address (within the request's deadline).
    if (unsubscribe) await this.creating?.catch(() => {});
    const address = this.address;
    this.address = undefined;
    if (unsubscribe && address) {
      await this.client.subscriptionRequest(address, operation(NS.wsnt, 'Unsubscribe')).catch(() => {});
    }
  }

  /** Settles once the loop has ended (after `stop`, or once the camera was lost). */
  finished(): Promise<void> {
    return this.loop ?? Promise.resolve();
  }

  private async run(): Promise<void> {
    let faults = 0;
    while (this.running) {
      try {
        if (this.address === undefined) await (this.creating = this.subscribe());
        else if (performance.now() >= this.renewAt) await this.renew();
        if (!this.running) break;
        await this.pull();
        faults = 0;
      } catch (err) {
        if (!this.running) break;
        const e = cameraError(err, 'events', { device: this.options.device });
        const network = ['SG_CONNECT_REFUSED', 'SG_CONNECT_TIMEOUT', 'SG_CONNECTION_LOST', 'SG_REQUEST_TIMEOUT', 'SG_AUTH_FAILED', 'SG_INSECURE_AUTH'].includes(e.code);
        if (network || ++faults >= MAX_FAULTS) {
          this.running = false;
          this.options.onLost(e);
          break;
        }
        // The camera forgot the subscription (expired, restarted service) or refused a request: start over.
        this.options.log.info({ fault: messageOf(err).slice(0, 200), resourceUnknown: isResourceUnknown(err) }, `camera ${this.options.device}: events subscription lost, subscribing again`);
        this.address = undefined;
        await sleep(Math.min(5000, 200 * 2 ** (faults - 1)), undefined, { signal: this.stopped.signal }).catch(() => {});
      }
    }
  }

  private async subscribe(): Promise<void> {
    const answer = await this.client.eventRequest(operation(NS.tev, 'CreatePullPointSubscription', element('InitialTerminationTime', isoDuration(this.options.terminationMs))));
    const subscription = readSubscription(answer.body, this.options.terminationMs);
    this.address = subscription.address;
    this.renewAt = performance.now() + subscription.lifetimeMs / 2;
    this.stats.created++;
    this.options.log.debug({ lifetimeMs: subscription.lifetimeMs }, `camera ${this.options.device}: events subscription created`);
  }

  private async renew(): Promise<void> {
    const answer = await this.client.subscriptionRequest(this.address!, operation(NS.wsnt, 'Renew', element('TerminationTime', isoDuration(this.options.terminationMs))));
    this.renewAt = performance.now() + readRenewal(answer.body, this.options.terminationMs) / 2;
    this.stats.renewed++;
  }

  private async pull(): Promise<void> {
    // End the long poll by the time the renewal is due; at least a second so it is still a long poll.
    const wait = Math.max(1000, Math.min(this.options.pullTimeoutMs, this.renewAt - performance.now()));
    const answer = await this.client.subscriptionRequest(
      this.address!,
      operation(NS.tev, 'PullMessages', element('Timeout', isoDuration(wait)) + element('MessageLimit', 100)),
      wait,
    );
    this.stats.pulls++;
    const list = readNotifications(answer.body);
    if (list.length && this.running) {
      this.stats.messages += list.length;
      this.options.onNotifications(list);
    }
  }
}
