/**
 * One configured station: which points take which elements, publishing a decoded report's values
 * with their observation times, recognising a report sent twice, and the station's health.
 */
import { AllowList, SensegateError, type BackoffSettings, type DeviceRef, type DriverContext, type ListenedStation, type PointRef } from '@sensegate/sdk';
import type { Sl651Connection } from '../config/connection.js';
import type { Sl651PointFields } from '../config/point.js';
import type { MessageBody } from '../protocol/body.js';
import { elementInfo, resolveElement } from '../protocol/elements.js';
import { parseFunctionCode, REPORTS } from '../protocol/function-codes.js';
import { toHex } from '../protocol/hex.js';
import { stationTimeToEpoch } from '../protocol/station-time.js';

export type Sl651Device = DeviceRef<Sl651Connection, Sl651PointFields>;

interface Binding {
  point: PointRef<Sl651PointFields>;
  /** Only these reports; undefined: every report. */
  functions?: ReadonlySet<number>;
}

/** Reports remembered to recognise a retransmission (the station missed our confirmation). */
const REMEMBERED = 32;

export class StationDevice implements ListenedStation {
  readonly id: string;
  readonly address: string;
  readonly connection: Sl651Connection;
  /** The station address: what the listener knows the station by. */
  readonly key: string;
  /** The listener fields of the connection block. */
  readonly listen: Sl651Connection;
  readonly reconnect: Readonly<BackoffSettings>;
  /** Remote addresses it may connect from; any when undefined. */
  readonly allow: AllowList | undefined;
  private readonly bindings = new Map<string, Binding[]>();
  private readonly links = new Set<object>();
  private readonly recent: string[] = [];
  private state: 'waiting' | 'online' | 'offline' | 'refused' = 'waiting';
  /** Set when the device is removed or the driver stops: health is the gateway's business then. */
  private detached = false;

  constructor(
    readonly device: Sl651Device,
    private readonly context: DriverContext,
  ) {
    this.id = device.id;
    this.address = device.connection.address;
    this.key = this.address;
    this.connection = device.connection;
    this.listen = device.connection;
    this.reconnect = device.reconnect;
    this.allow = device.connection.allow ? new AllowList(device.connection.allow) : undefined;
    for (const point of device.points) {
      const element = resolveElement(point.spec.element)!;
      const fields = point.spec.function;
      const codes = fields === undefined ? undefined : new Set((Array.isArray(fields) ? fields : [fields]).map((f) => parseFunctionCode(f)!));
      let list = this.bindings.get(element);
      if (!list) this.bindings.set(element, (list = []));
      list.push({ point, ...(codes ? { functions: codes } : {}) });
      this.checkUnit(point, element);
    }
  }

  /** Elements the points take, for the log line when the station is added. */
  get elements(): string[] {
    return [...this.bindings.keys()];
  }

  detach(): void {
    this.detached = true;
  }

  /** A frame from this station was accepted on `link` (a connection). */
  accepted(link: object, remote: string): void {
    this.links.add(link);
    if (this.state === 'online' || this.detached) return;
    this.state = 'online';
    this.context.health(this.id, 'online', `station ${this.address} reporting from ${remote}`);
  }

  /** A connection that carried this station closed. */
  linkClosed(link: object, reason: string): void {
    if (!this.links.delete(link) || this.links.size > 0 || this.state !== 'online' || this.detached) return;
    this.state = 'offline';
    this.context.health(this.id, 'offline', new SensegateError('SG_CONNECTION_LOST', reason, { driver: this.context.driver, device: this.id }));
  }

  /**
   * Frames claiming to be this station were refused (wrong password or centre). Shown in health
   * only while the station has not got in, so a stray frame cannot mark a working station down.
   */
  refused(error: SensegateError): void {
    if (this.state === 'online' || this.state === 'refused' || this.detached) return;
    this.state = 'refused';
    this.context.health(this.id, 'offline', error);
  }

  /** True if this report (function, serial number and send time) was already received. */
  isRepeat(functionCode: number, head: Uint8Array): boolean {
    const key = `${functionCode}/${toHex(head)}`;
    if (this.recent.includes(key)) return true;
    this.recent.push(key);
    if (this.recent.length > REMEMBERED) this.recent.shift();
    return false;
  }

  /** Publishes the values of a report that points take; returns how many. */
  publish(functionCode: number, body: MessageBody): number {
    if (!REPORTS.has(functionCode)) return 0;
    const zone = this.connection.timeZone;
    let count = 0;
    for (const element of body.elements) {
      const bindings = this.bindings.get(element.id);
      if (!bindings) continue;
      const time = element.observed ?? body.observed ?? body.sendTime;
      const base = time ? stationTimeToEpoch(time, zone) : undefined;
      for (const { point, functions } of bindings) {
        if (functions && !functions.has(functionCode)) continue;
        for (const sample of element.samples) {
          const ts = base === undefined ? undefined : base + sample.offsetMinutes * 60_000;
          const at = ts === undefined ? {} : { ts };
          const v = sample.value;
          if (v.kind === 'value') this.context.publish(this.id, point.id, v.value, { quality: 'good', ...at });
          else this.context.publish(this.id, point.id, null, { quality: 'bad', status: v.kind === 'no-data' ? 'sl651:no-data' : 'sl651:invalid-value', ...at });
          count++;
        }
      }
    }
    return count;
  }

  private checkUnit(point: PointRef<Sl651PointFields>, element: string): void {
    const standard = elementInfo(element)?.unit;
    const { unit, scale, offset } = point.spec;
    if (standard && unit && unit !== standard && scale === 1 && offset === 0) {
      this.device.log.warn(
        { point: point.id, element, unit, standard },
        `point ${point.id}: element ${element} is sent in ${standard}, but the point's unit is ${unit} without scale or offset`,
      );
    }
  }
}
