/**
 * One simulated camera's live state: its spec, its clock, its faults and its counters, and the
 * URLs it advertises. The HTTP endpoint, the services and discovery all read it.
 */
import { createHash } from 'node:crypto';
import type { ResolvedCamera } from './options.js';
import { EventSource } from './events/source.js';
import { PtzHead } from './ptz/head.js';
import { TOKENS } from './services/media.js';

export const SERVICE_PATHS = {
  device: '/onvif/device_service',
  media: '/onvif/media_service',
  ptz: '/onvif/ptz_service',
  events: '/onvif/events_service',
} as const;

export type ServiceName = keyof typeof SERVICE_PATHS;

/** Pull-point subscriptions are `SUBSCRIPTION_PREFIX<n>` on the camera's HTTP server. */
export const SUBSCRIPTION_PREFIX = `${SERVICE_PATHS.events}/subscription/`;

export class Camera {
  clockOffsetMs: number;
  failAuth = false;
  requests = 0;
  authFailures = 0;
  /** Where the camera points; the PTZ service moves it. */
  readonly ptz = new PtzHead();
  /** Motion and tamper events and the pull points that carry them; the events service reads it. */
  readonly events: EventSource;
  /** Set once the camera's HTTP server listens. */
  baseUrl = '';

  constructor(readonly spec: ResolvedCamera) {
    this.clockOffsetMs = spec.clockOffsetMs;
    this.events = new EventSource({ videoSourceConfiguration: TOKENS.videoSourceConfiguration, videoSource: TOKENS.videoSource, now: () => this.now() });
    this.events.motionEvery(spec.motionEveryMs);
  }

  get id(): string {
    return this.spec.id;
  }

  /** The camera's own idea of the time. */
  now(): number {
    return Date.now() + this.clockOffsetMs;
  }

  serviceUrl(service: ServiceName): string {
    return this.baseUrl + SERVICE_PATHS[service];
  }

  /** A stable `urn:uuid:` for WS-Discovery, derived from the id, as a real camera's never changes. */
  get endpointReference(): string {
    const h = createHash('sha1').update(`sensegate-onvif:${this.id}`).digest('hex');
    return `urn:uuid:${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)}${h.slice(18, 20)}-${h.slice(20, 32)}`;
  }

  /** The scopes WS-Discovery and GetScopes report. */
  scopes(): string[] {
    const s = this.spec;
    return [
      'onvif://www.onvif.org/type/video_encoder',
      'onvif://www.onvif.org/Profile/Streaming',
      `onvif://www.onvif.org/name/${encodeURIComponent(s.model)}`,
      `onvif://www.onvif.org/hardware/${encodeURIComponent(s.hardwareId)}`,
      `onvif://www.onvif.org/location/${encodeURIComponent(s.location)}`,
    ];
  }
}
