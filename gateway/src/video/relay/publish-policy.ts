/**
 * Who may publish a stream into the relay. The relay exists to serve camera streams it pulls
 * itself, so by default nobody else publishes at all. An operator may admit encoders (a drone, a
 * mobile camera, an NVR's output) with `video.relay.publish`: then a publish is accepted only
 *
 * - over RTMP (HTTP-FLV and WS-FLV uploads are refused before the library sees them),
 * - from an address in `publish.from` (default: the gateway itself, loopback),
 * - carrying the publish token, which is never the players' token (player URLs never publish),
 * - on a path listed in `publish.paths` that does not carry a relayed camera stream: a camera's
 *   path belongs to the relay's own pull, also while the camera is down.
 *
 * The relay's own sessions (its camera pulls, its pushes to itself) are recognised before any of
 * this and always publish. The policy only decides; the caller counts and logs the refusals.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { AllowList } from '@sensegate/sdk';

/** What `video.relay.publish` gives the relay, secrets resolved. */
export interface PublishSettings {
  /** The token an encoder carries as `?token=`; at least 8 characters, never the play token. */
  token: string;
  /** `<app>/<name>` paths encoders may publish on. */
  paths: readonly string[];
  /** Addresses and subnets encoders may publish from (default: loopback). */
  from?: readonly string[];
}

export const DEFAULT_PUBLISH_FROM: readonly string[] = ['127.0.0.1', '::1'];

export type PublishRefusalReason = 'upload-not-rtmp' | 'publishing-off' | 'address-not-allowed' | 'bad-publish-token' | 'camera-path' | 'unknown-path';

/** For the log: what was refused and what the operator can do about it. */
export const PUBLISH_REFUSALS: Record<PublishRefusalReason, string> = {
  'upload-not-rtmp': 'the relay takes published streams over RTMP only (HTTP-FLV and WS-FLV uploads are refused)',
  'publishing-off': 'publishing into the relay is off; to admit an encoder, configure video.relay.publish (token, paths, from)',
  'address-not-allowed': 'the address is not in video.relay.publish.from; add it there if this encoder is expected',
  'bad-publish-token': 'the publish token is missing or wrong (the players\' token never publishes); give the encoder video.relay.publish.token in its URL (?token=...)',
  'camera-path': 'the path carries a relayed camera stream, which only the relay itself publishes (also while the camera is down)',
  'unknown-path': 'the path is not in video.relay.publish.paths; add it there, or point the encoder at a listed path',
};

export interface PublishAttempt {
  /** The library's stream path without its leading slash: `<app>/<name>`. */
  path: string;
  protocol: string;
  /** The client's address, as the socket reports it. */
  address: string | undefined;
  token: unknown;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

export class PublishPolicy {
  private readonly token: Buffer | undefined;
  private readonly paths: ReadonlySet<string>;
  private readonly from: AllowList;

  constructor(settings: PublishSettings | undefined) {
    this.token = settings ? digest(settings.token) : undefined;
    this.paths = new Set(settings?.paths ?? []);
    this.from = new AllowList(settings?.from ?? DEFAULT_PUBLISH_FROM);
  }

  /** Paths configured for encoders. */
  get publishPaths(): ReadonlySet<string> {
    return this.paths;
  }

  /** Undefined when the attempt may publish; else why not. `cameraPaths` are the relayed camera streams. */
  refusal(attempt: PublishAttempt, cameraPaths: ReadonlySet<string>): PublishRefusalReason | undefined {
    if (attempt.protocol !== 'rtmp') return 'upload-not-rtmp';
    if (!this.token) return 'publishing-off';
    if (!this.from.allows(attempt.address)) return 'address-not-allowed';
    if (typeof attempt.token !== 'string' || !timingSafeEqual(digest(attempt.token), this.token)) return 'bad-publish-token';
    if (cameraPaths.has(attempt.path)) return 'camera-path';
    if (!this.paths.has(attempt.path)) return 'unknown-path';
    return undefined;
  }
}
