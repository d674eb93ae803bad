/**
 * The `video:` block: what the gateway does with the streams its cameras announce. The relay serves
 * each camera's stream from the gateway (HTTP-FLV, WS-FLV, RTMP) without transcoding; snapshots are
 * JPEGs taken on events and on a schedule, kept under the data folder within size and age bounds.
 * Players carry the relay's `token`; publishing is the relay's alone unless `relay.publish` admits
 * encoders with a token of their own, which the checks here keep distinct from the players' one.
 */
import { AllowList, allowEntryProblem, byteSize, duration, isLoopback } from '@sensegate/sdk';
import { z } from 'zod';
import { secret, type SecretRef } from '../config/secret.js';
import { DEFAULT_PUBLISH_FROM } from './relay/publish-policy.js';

/** A relay path: two parts, each of the library's safe characters. */
const RELAY_PATH = /^[A-Za-z0-9_-]+\/[A-Za-z0-9_-]+$/;

const publishSchema = z
  .object({
    token: secret(
      'Token an encoder must give to publish (`?token=...` on its RTMP URL): at least 8 characters and not the players\' `token`, so that no player URL ever lets anyone publish.',
    ),
    paths: z
      .array(z.string().regex(RELAY_PATH, 'a relay path `<app>/<name>`, each part letters, digits, _ or -, e.g. site/drone'))
      .min(1)
      .describe('Paths encoders may publish on, `<app>/<name>` (served at `/<app>/<name>.flv`). A path whose first part is a device id is refused: camera streams are published by the relay alone.'),
    from: z
      .array(z.string().superRefine((entry, ctx) => {
        const problem = allowEntryProblem(entry);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      }))
      .min(1)
      .default([...DEFAULT_PUBLISH_FROM])
      .describe('Addresses or subnets (`10.0.5.0/24`) encoders may publish from. The default admits encoders on the gateway itself only (loopback).'),
  })
  .strict()
  .describe('Encoders admitted to publish into the relay over RTMP (a drone, a mobile camera, an NVR output). Left out, nobody but the relay itself publishes.');

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
    token: secret(
      'Token every player must give (`?token=...`), at least 8 characters; required when `host` is not a loopback address. It lets players watch and never publishes.',
    ).optional(),
    publish: publishSchema.optional(),
    push: z
      .string()
      .regex(/^rtmps?:\/\/\S+$/, 'an rtmp:// URL, e.g. rtmp://media.city.example/live/{gateway}/{device}')
      .optional()
      .describe('Also push every relayed stream to this RTMP server; `{gateway}`, `{device}` and `{stream}` are replaced.'),
    statsInterval: duration('How often bitrate and viewers are published as readings (`stream.bitrate`, `stream.viewers`); `stream.up` is published at every change.')
      .pipe(z.number().min(1000))
      .default(10_000),
    maxConnections: z.number().int().min(1).max(100_000).default(512).describe('Connections open at once on each of the relay\'s ports (players, publishers, and connections still asking); more are closed on arrival.'),
    maxConnectionsPerAddress: z
      .number()
      .int()
      .min(1)
      .max(100_000)
      .default(32)
      .describe('Connections open at once from one address (an IPv6 address counts by its /64); loopback is not limited. More are closed on arrival, before a byte is read.'),
    handshakeTimeout: duration('How long a new connection has to ask to play or publish (HTTP: send its request; RTMP: play or publish) before it is closed.')
      .pipe(z.number().min(1000).max(120_000))
      .default(10_000),
  })
  .strict()
  .superRefine((r, ctx) => {
    if (r.token === undefined && !isLoopback(r.host)) {
      ctx.addIssue({ code: 'custom', path: ['token'], message: 'a relay listening beyond loopback needs a `token`, so that only the platform\'s players can watch' });
    }
    if (!r.publish) return;
    const { token, paths, from } = r.publish;
    if (typeof token === 'string' && token.length < 8) ctx.addIssue({ code: 'custom', path: ['publish', 'token'], message: 'must be at least 8 characters' });
    if (r.token !== undefined && sameSecret(r.token, token)) {
      ctx.addIssue({ code: 'custom', path: ['publish', 'token'], message: 'must differ from `token`: player URLs carry the players\' token, and must never let anyone publish' });
    }
    paths.forEach((path, index) => {
      if (paths.indexOf(path) !== index) ctx.addIssue({ code: 'custom', path: ['publish', 'paths', index], message: `"${path}" is listed twice` });
    });
    if (isLoopback(r.host) && from.every((e) => !allowEntryProblem(e)) && !new AllowList(from).loopbackOnly) {
      ctx.addIssue({
        code: 'custom',
        path: ['publish', 'from'],
        message: `lists addresses beyond loopback, but the relay listens on ${r.host} only; set \`host\` (with a \`token\`), or publish from the gateway itself`,
      });
    }
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
export type RelayPublishConfig = z.output<typeof publishSchema>;
export type SnapshotsConfig = z.output<typeof snapshotsSchema>;

/** Two references to one secret: the same text, or the same variable or file. */
function sameSecret(a: SecretRef, b: SecretRef): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Encoders' paths never take a device's name: a camera's stream is published at `<device>/<stream>`
 * by the relay alone. Returns one problem per offending path (its index and the device).
 */
export function publishPathsNamingDevices(video: VideoConfig, deviceIds: readonly (string | undefined)[]): Array<{ index: number; message: string }> {
  const paths = video.relay?.publish?.paths ?? [];
  const byPathPart = new Map(deviceIds.filter((id): id is string => id !== undefined).map((id) => [id.replace(/[^A-Za-z0-9_-]/g, '_'), id]));
  return paths.flatMap((path, index) => {
    const device = byPathPart.get(path.split('/')[0]!);
    return device === undefined
      ? []
      : [{ index, message: `"${path}" is under device "${device}", whose streams only the relay publishes; choose an app name that is no device id` }];
  });
}
