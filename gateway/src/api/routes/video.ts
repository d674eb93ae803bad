/**
 * Cameras: each stream the gateway knows and where a browser plays it, and the stored snapshots,
 * listed and served as JPEG. PTZ goes through the devices' commands route, like any driver command.
 *
 * Invariants: a snapshot is served only when the SnapshotStore's index holds its id; the device and
 * name from the request are checked against the store's own file-name rules (400 otherwise) and are
 * never joined into a path here. A stream is played through the API itself (`.../live.flv`), on
 * the page's own origin and under its login and TLS: the relay's players' token never leaves the
 * gateway, and a console over HTTPS plays what a plain-HTTP relay serves. A player that falls
 * behind by STREAM_BUFFER bytes is cut off; the relay is never slowed for it.
 */
import { get as httpGet } from 'node:http';
import { ID_PATTERN } from '@sensegate/sdk';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import type { SnapshotRef } from '../../video/snapshots/index.js';
import { snapshotReason } from '../../video/service.js';
import { cameraSchema, snapshotSchema } from '../answers.js';
import type { ApiContext } from '../context.js';
import { ApiError, notFound, route, type Route } from '../route.js';

/** A picture's name in the store: `<20261129T150102.123Z>-<reason>-<4 hex>` (store.ts). */
const SNAPSHOT_NAME = /^\d{8}T\d{6}\.\d{3}Z-[A-Za-z0-9_-]{1,32}-[0-9a-f]{4}$/;

const deviceId = z.string().regex(ID_PATTERN, 'a device id');
const streamName = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a stream name, e.g. main');

/** Bytes a stream's player may fall behind by before it is cut off (a few seconds of a camera's main stream). */
const STREAM_BUFFER = 4 * 1024 * 1024;

/** The relay as the gateway itself reaches it: its address, loopback when it listens on every one. */
function relayHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '::1';
  return host;
}

export function videoRoutes(ctx: ApiContext): Route[] {
  const { gateway } = ctx;

  /** A stored picture as the API answers it, with the event that carries it when still known. */
  const describeSnapshots = (refs: readonly SnapshotRef[]) => {
    const on = gateway.config.video.snapshots.on;
    const causes = new Map(on.map((type) => [snapshotReason(type), type]));
    const wanted = new Set(refs.map((r) => r.id));
    const events = new Map<string, { id: number; type: string; message: string }>();
    for (const e of gateway.live?.events() ?? []) {
      const id = (e.data?.snapshot as { id?: unknown } | undefined)?.id;
      if (typeof id === 'string' && wanted.has(id)) events.set(id, { id: e.id, type: e.type, message: e.message });
    }
    return refs.map((ref) => {
      const event = events.get(ref.id);
      return {
        id: ref.id,
        device: ref.device,
        ts: ref.ts,
        cause: event?.type ?? causes.get(ref.reason) ?? ref.reason,
        bytes: ref.bytes,
        width: ref.width,
        height: ref.height,
        url: `/api/v1/snapshots/${ref.id}`,
        ...(event ? { event } : {}),
      };
    });
  };

  const sendJpeg = (reply: FastifyReply, ref: SnapshotRef, jpeg: Buffer, cache: string) => {
    reply
      .type('image/jpeg')
      .header('cache-control', cache)
      .header('x-content-type-options', 'nosniff')
      .header('x-snapshot-id', ref.id)
      .header('content-disposition', `inline; filename="${ref.id.replace('/', '-')}.jpg"`)
      .send(jpeg);
  };

  let playing = 0;

  const ptzOf = (device: string) => {
    const ptz: { pan?: number; tilt?: number; zoom?: number } = {};
    for (const axis of ['pan', 'tilt', 'zoom'] as const) {
      const value = gateway.live?.latestOf(device, `ptz.${axis}`)?.value;
      if (typeof value === 'number') ptz[axis] = value;
    }
    return Object.keys(ptz).length ? { ptz } : {};
  };

  return [
    route({
      method: 'GET',
      path: '/api/v1/cameras',
      tag: 'video',
      access: 'viewer',
      summary: 'Every camera stream the gateway knows: relayed or not, up or down, bitrate, viewers, where a browser plays it, the PTZ position and the newest snapshot.',
      description: 'A relayed stream\'s `player.flv` is its path on this API (`/api/v1/cameras/{device}/{stream}/live.flv`), played with the same login as the page.',
      answer: z.array(cameraSchema),
      handler: () => {
        const store = gateway.snapshots;
        const streams = [...gateway.streams()].sort((a, b) => (a.device === b.device ? (a.stream < b.stream ? -1 : 1) : a.device < b.device ? -1 : 1));
        return streams.map((s) => {
          const runner = gateway.runners.get(s.device);
          const relayed = s.state !== undefined;
          const latest = store?.latest(s.device);
          return {
            device: s.device,
            ...(runner?.config.name ? { name: runner.config.name } : {}),
            stream: s.stream,
            deviceState: runner?.health.snapshot.state ?? 'stopped',
            relayed,
            up: s.state === 'up',
            ...(relayed ? { state: s.state, bitrate: s.bitrate ?? 0, viewers: s.viewers ?? 0 } : {}),
            ...(relayed ? { player: { flv: `/api/v1/cameras/${s.device}/${s.stream}/live.flv` } } : {}),
            ...ptzOf(s.device),
            ...(latest ? { latestSnapshot: describeSnapshots([latest])[0]! } : {}),
          };
        });
      },
    }),
    route({
      method: 'GET',
      path: '/api/v1/cameras/:device/:stream/live.flv',
      tag: 'video',
      access: 'viewer',
      summary: 'A camera\'s live stream as HTTP-FLV (H.264 as the camera sends it), through the API from the gateway\'s relay.',
      description:
        'Same origin, login and TLS as the rest of the API; the relay\'s token stays in the gateway. At most `api.maxStreams` players at once (503 beyond); a player that falls 4 MB behind is cut off.',
      params: z.object({ device: deviceId.describe('The camera.'), stream: streamName.describe('The stream, e.g. `main`.') }),
      answer: { contentType: 'video/x-flv', description: 'An endless FLV stream.' },
      errors: { 404: 'no such relayed stream', 502: 'the relay did not serve the stream', 503: 'too many players' },
      handler: ({ params, request, reply }) => {
        const relay = gateway.config.video.relay;
        const urls = relay?.enabled ? gateway.streamUrls(params.device, params.stream, relayHost(relay.host)) : undefined;
        if (!urls || !gateway.streams().some((s) => s.device === params.device && s.stream === params.stream)) {
          throw notFound(`no relayed stream ${params.device}/${params.stream}: GET /api/v1/cameras lists them (video.relay must be on)`);
        }
        if (playing >= gateway.config.api.maxStreams) {
          throw new ApiError(503, 'SG_API_BUSY', `${playing} camera players are connected, the most api.maxStreams allows; try again later`);
        }
        playing++;
        reply.hijack();
        const out = reply.raw;
        let done = false;
        const finish = () => {
          if (done) return;
          done = true;
          playing--;
          upstream.destroy();
          if (!out.destroyed) out.destroy();
        };
        const upstream = httpGet(urls.flv, (res) => {
          if (res.statusCode !== 200) {
            res.resume();
            const body = new ApiError(502, 'SG_API_FAILED', `the relay answered ${res.statusCode} for ${params.device}/${params.stream}; the stream may be starting, try again`).body;
            out.writeHead(502, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
            done = true;
            playing--;
            return;
          }
          out.writeHead(200, { 'content-type': 'video/x-flv', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
          res.on('data', (chunk: Buffer) => {
            // Never paused for a slow player: what waits for it is bounded, then it is cut off.
            if (out.writableLength > STREAM_BUFFER) {
              ctx.log.warn({ device: params.device, stream: params.stream, client: ctx.origin(request) }, `camera player ${ctx.origin(request)} of ${params.device}/${params.stream} fell ${out.writableLength} bytes behind: cut off; it may reconnect`);
              return finish();
            }
            out.write(chunk);
          });
          res.on('end', finish);
          res.on('error', finish);
        });
        upstream.on('error', (err) => {
          if (!out.headersSent) {
            const body = new ApiError(502, 'SG_API_FAILED', `the relay cannot be reached for ${params.device}/${params.stream}: ${err.message}`).body;
            out.writeHead(502, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
            if (!done) {
              done = true;
              playing--;
            }
            return;
          }
          finish();
        });
        out.on('close', finish);
        return undefined;
      },
    }),
    route({
      method: 'GET',
      path: '/api/v1/snapshots',
      tag: 'video',
      access: 'viewer',
      summary: 'The stored camera snapshots, newest first: why each was taken (the event type, or `schedule`), its size, and where to get it.',
      query: z.object({
        device: deviceId.optional().describe('Only this camera\'s.'),
        limit: z.coerce.number().int().min(1).max(1000).default(100).describe('At most this many, the newest.'),
      }),
      answer: z.array(snapshotSchema),
      handler: ({ query }) => describeSnapshots(gateway.snapshots?.newest(query.limit, query.device) ?? []),
    }),
    route({
      method: 'GET',
      path: '/api/v1/snapshots/:device/:name',
      tag: 'video',
      access: 'viewer',
      summary: 'One stored snapshot, as JPEG. Its path is the snapshot\'s `id`.',
      params: z.object({
        device: deviceId.describe('The camera.'),
        name: z.string().regex(SNAPSHOT_NAME, 'a snapshot name: <yyyymmddThhmmss.sssZ>-<reason>-<4 hex digits>').describe('The part of the snapshot\'s id after `<device>/`.'),
      }),
      answer: { contentType: 'image/jpeg', description: 'The JPEG as the camera gave it.' },
      errors: { 404: 'no such snapshot (never taken, or deleted for the store\'s bounds)' },
      handler: async ({ params, reply }) => {
        const found = await gateway.snapshots?.read(`${params.device}/${params.name}`);
        if (!found) throw notFound(`no snapshot ${params.device}/${params.name}: never taken, or deleted for video.snapshots.maxBytes or maxAge; GET /api/v1/snapshots lists those kept`);
        // A picture never changes under its id.
        sendJpeg(reply, found.ref, found.jpeg, 'private, max-age=86400, immutable');
        return undefined;
      },
    }),
    route({
      method: 'GET',
      path: '/api/v1/devices/:id/snapshot/latest',
      tag: 'video',
      access: 'viewer',
      summary: 'The newest stored snapshot of a camera, as JPEG (`x-snapshot-id` names it).',
      params: z.object({ id: deviceId.describe('Device id.') }),
      answer: { contentType: 'image/jpeg', description: 'The newest JPEG of the camera.' },
      errors: { 404: 'no such device, or no snapshot of it' },
      handler: async ({ params, reply }) => {
        if (!gateway.runners.has(params.id)) throw notFound(`no device "${params.id}" in ${gateway.config.file}`);
        // The newest may be pruned between the lookup and the read: then the next newest.
        for (let attempt = 0; attempt < 3; attempt++) {
          const latest = gateway.snapshots?.latest(params.id);
          if (!latest) break;
          const found = await gateway.snapshots!.read(latest.id);
          if (found) {
            sendJpeg(reply, found.ref, found.jpeg, 'no-cache');
            return undefined;
          }
        }
        throw notFound(`camera ${params.id} has no snapshot: none was asked for yet (video.snapshots.on, video.snapshots.every), or each failed (see its events' data.snapshotError)`);
      },
    }),
  ];
}
