/**
 * The `video:` block: what the gateway does with the streams its cameras announce. The relay serves
 * each camera's stream from the gateway (HTTP-FLV, WS-FLV, RTMP) without transcoding; snapshots are
 * JPEGs taken on events and on a schedule, kept under the data folder within size and age bounds.
 */
import { byteSize, duration } from '@sensegate/sdk';
import { z } from 'zod';
import { secret } from '../config/secret.js';
import { isLoopback } from './relay/access.js';

const relaySchema = z
  .object({
    enabled: z.boolean().default(true).describe('Relay every camera stream the drivers announce.'),
    host: z
      .string()
      .min(1)
      .default('127.0.0.1')
      .describe('Address the relay listens on. Anything but a loopback address exposes the streams to the network and requires `token`.'),
    httpPort: z.number().int().min(0).max(65535).default(8000).describe('Port for HTTP-FLV and WS-FLV players (0: a free one, logged at start).'),
    rtmpPort: z.number().int().min(0).max(65535).default(1935).describe('Port for RTMP players (0: a free one).'),
    token: secret('Token every player must give (`?token=...`), at least 8 characters; required when `host` is not a loopback address.').optional(),
    push: z
      .string()
      .regex(/^rtmps?:\/\/\S+$/, 'an rtmp:// URL, e.g. rtmp://media.city.example/live/{gateway}/{device}')
      .optional()
      .describe('Also push every relayed stream to this RTMP server; `{gateway}`, `{device}` and `{stream}` are replaced.'),
    statsInterval: duration('How often bitrate and viewers are published as readings (`stream.bitrate`, `stream.viewers`); `stream.up` is published at every change.')
      .pipe(z.number().min(1000))
      .default(10_000),
  })
  .strict()
  .refine((r) => r.token !== undefined || isLoopback(r.host), {
    message: 'a relay listening beyond loopback needs a `token`, so that only the platform\'s players can watch',
    path: ['token'],
  })
  .describe('The stream relay (node-media-server): each camera stream pulled over RTSP once and served to any number of players.');

const snapshotsSchema = z
  .object({
    on: z
      .array(z.string().min(1))
      .default(['camera.motion', 'camera.tamper'])
      .describe('Event types that take a snapshot; the event on the feed then references it (`data.snapshot`). `[]`: none.'),
    every: duration('Also take a snapshot of every camera at this interval (0: never).').default(0),
    maxBytes: byteSize('Bound on the snapshot folder; the oldest pictures are deleted beyond it.').default(1024 ** 3),
    maxAge: duration('Pictures older than this are deleted.').default(7 * 24 * 3600_000),
    timeout: duration('Longest a snapshot may take; an event waits at most this long for its picture.').default(5000),
  })
  .strict()
  .describe('Snapshots: JPEGs from the camera\'s snapshot URL or, failing that, from its stream, stored in `<data>/snapshots/<device>/`.');

export const videoConfigSchema = z
  .object({
    relay: relaySchema.optional(),
    snapshots: snapshotsSchema.default(snapshotsSchema.parse({})),
    ffmpeg: z.string().optional().describe('Path of the ffmpeg executable for snapshots from streams (default: FFMPEG_PATH, then ffmpeg-static, then PATH).'),
  })
  .strict()
  .describe('Camera video: the stream relay and snapshots. Cameras announce their streams through their driver (the ONVIF driver does).');

export type VideoConfig = z.output<typeof videoConfigSchema>;
export type RelayConfig = z.output<typeof relaySchema>;
export type SnapshotsConfig = z.output<typeof snapshotsSchema>;
