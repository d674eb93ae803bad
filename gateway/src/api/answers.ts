/**
 * The shapes the API answers with, as zod schemas: the handlers build these values, the OpenAPI
 * document describes them (openapi.ts), and the API tests check every answer against that document.
 */
import { z } from 'zod';

const ms = (what: string) => z.number().describe(`${what}, ms since the epoch (UTC).`);

export const qualitySchema = z.enum(['good', 'uncertain', 'bad']);
export const deviceStateSchema = z.enum(['starting', 'online', 'degraded', 'offline', 'stopped']);
const valueSchema = z.union([z.number(), z.string(), z.boolean(), z.null(), z.array(z.unknown()).readonly()]).describe('A number, boolean, string, null, or an array of these.');

export const readingSchema = z
  .object({
    ts: ms('When the value was measured'),
    value: valueSchema,
    quality: qualitySchema,
    status: z.string().optional().describe('The protocol\'s own status behind the quality.'),
    received: ms('When the gateway received it (source-stamped values only)').optional(),
    count: z.number().optional(),
    start: z.number().optional(),
  })
  .describe('The latest reading of a point.');

export const pointSchema = z.object({
  id: z.string(),
  name: z.string().optional(),
  unit: z.string().optional(),
  type: z.string().optional(),
  direction: z.enum(['read', 'write', 'readwrite']),
  writable: z.boolean(),
  derived: z.boolean().describe('Computed at the edge from other points (`derived:` in the configuration).'),
  pollInterval: z.number().optional().describe('How often it is read, ms (polled points).'),
  latest: readingSchema.optional(),
});

export const pollStatsSchema = z.object({
  polls: z.number().describe('Polls since the gateway started.'),
  reads: z.number().describe('Point reads since the gateway started.'),
  failures: z.number().describe('Point reads that gave no value.'),
  errors: z.record(z.string(), z.number()).describe('Failed point reads by error code.'),
  lastPoll: z.object({ at: ms('When it finished'), ms: z.number().describe('How long it took, ms.') }).optional(),
  lastError: z.object({ code: z.string(), message: z.string(), at: ms('When') }).optional().describe('The last failed read, kept after the device recovers.'),
});

export const deviceSummarySchema = z.object({
  id: z.string(),
  name: z.string().optional(),
  driver: z.string(),
  tags: z.record(z.string(), z.string()),
  state: deviceStateSchema,
  since: ms('When it entered its state'),
  reason: z.string().optional().describe('Why it is in its state, in words.'),
  code: z.string().optional().describe('The error code behind an offline or degraded state.'),
  lastGoodAt: ms('The last poll that gave a good value').optional(),
  points: z.number(),
  stats: pollStatsSchema,
});

export const deviceDetailSchema = deviceSummarySchema.extend({
  pollInterval: z.number(),
  info: z.record(z.string(), z.unknown()).optional().describe('What the device said about itself (model, firmware).'),
  commands: z.array(z.object({ name: z.string(), description: z.string().optional() })).describe('The driver\'s commands for this device.'),
  pointList: z.array(pointSchema),
});

export const historySchema = z.object({
  device: z.string(),
  point: z.string(),
  unit: z.string().optional(),
  interval: z.number().describe('At most one sample per this many ms.'),
  ts: z.array(z.number()),
  value: z.array(z.number()),
  quality: z.array(qualitySchema),
});

export const planSchema = z.object({
  device: z.string(),
  driver: z.string(),
  groups: z.array(z.object({ interval: z.number(), points: z.array(z.string()), requests: z.array(z.string()) })),
});

export const ackSchema = z
  .object({
    v: z.literal(1),
    type: z.literal('ack'),
    gateway: z.string(),
    id: z.string().optional(),
    device: z.string().optional(),
    command: z.string().optional(),
    point: z.string().optional(),
    ok: z.boolean(),
    result: z.unknown().optional(),
    error: z.object({ code: z.string(), message: z.string(), retryable: z.boolean() }).optional(),
    duplicate: z.literal(true).optional(),
    ts: z.number(),
    took: z.number(),
  })
  .describe('The command\'s acknowledgement, as on the MQTT commands/ack topic (docs/commands.md).');

export const eventSchema = z.object({
  id: z.number().describe('Increasing within this run of the gateway; `after` in the next request.'),
  type: z.string(),
  ts: z.number(),
  device: z.string().optional(),
  point: z.string().optional(),
  severity: z.enum(['info', 'warning', 'critical']),
  message: z.string(),
  data: z.record(z.string(), z.unknown()).optional(),
});

export const alarmSchema = z.object({ device: z.string(), point: z.string() }).catchall(z.unknown());

export const sinkSchema = z.object({
  name: z.string(),
  type: z.string(),
  connected: z.boolean(),
  cursor: z.number().describe('Everything up to this sequence number was acknowledged.'),
  inFlight: z.number().describe('Messages sent and awaiting acknowledgement.'),
  backlog: z.object({
    entries: z.number().describe('Committed and not yet acknowledged.'),
    bytes: z.number().describe('Journal bytes holding them.'),
    oldestTs: ms('The oldest of them').optional(),
    oldestAge: z.number().optional().describe('Age of the oldest, ms.'),
  }),
  rate: z.number().describe('Entries delivered per second over the last minute or since start.'),
  deadLetters: z.number().describe('Entries the endpoint refused for good (`sensegate dead-letters --sink NAME`).'),
});

export const journalSchema = z.object({
  file: z.string().optional(),
  bytes: z.number(),
  blocks: z.number(),
  entries: z.number(),
  firstSeq: z.number(),
  lastSeq: z.number(),
  oldestTs: z.number().optional(),
  dropped: z.number().describe('Entries dropped for the journal\'s bounds since it was created.'),
  journalMode: z.string().optional(),
  synchronous: z.string().optional(),
  sqlite: z.string().optional(),
  disk: z.object({
    freeBytes: z.number().optional(),
    reserveBytes: z.number(),
    full: z.boolean(),
    readOnly: z.boolean(),
    fullSince: z.number().optional(),
    episodes: z.number(),
  }),
});

export const statusSchema = z.object({
  gateway: z.string(),
  name: z.string().optional(),
  tags: z.record(z.string(), z.string()).optional(),
  version: z.string(),
  session: z.number(),
  startedAt: z.number(),
  process: z.object({
    pid: z.number(),
    node: z.string(),
    uptime: z.number().describe('Seconds.'),
    cpu: z.number().describe('Share of one core since the previous status request.'),
    rss: z.number().describe('Resident memory, bytes.'),
    heapUsed: z.number(),
    eventLoopLag: z.object({ mean: z.number(), p99: z.number(), max: z.number() }).describe('Event-loop delay since the previous status request, ms.'),
  }),
  devices: z.partialRecord(deviceStateSchema, z.number()).describe('Devices by state.'),
  alarms: z.number().describe('Active alarms.'),
  sinks: z.array(z.object({ name: z.string(), connected: z.boolean(), backlog: z.number() })),
  journal: z.object({ entries: z.number(), bytes: z.number(), oldestTs: z.number().optional(), dropped: z.number() }),
  ready: z.object({ ready: z.boolean(), reasons: z.array(z.string()) }),
  streams: z.object({
    clients: z.number().describe('Live-stream clients connected.'),
    dropped: z.number().describe('Live-stream clients disconnected for falling `api.streamBuffer` bytes behind, since start.'),
  }),
});

export const configViewSchema = z.object({
  file: z.string(),
  text: z.string().describe('The configuration file as it was loaded, secrets written inline replaced by `********` (line numbers unchanged).'),
  masked: z.array(z.string()).describe('Field paths whose values were masked.'),
});

export const configCheckSchema = z.object({
  ok: z.boolean(),
  summary: z.string().optional(),
  problems: z.array(z.object({ file: z.string(), line: z.number().optional(), col: z.number().optional(), path: z.string(), message: z.string() })),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});

export const healthSchema = z.object({ ok: z.boolean() });
export const readySchema = z.object({ ready: z.boolean(), reasons: z.array(z.string()) });

export const snapshotSchema = z.object({
  id: z.string().describe('`<device>/<name>`, unique; the JPEG is at `GET /api/v1/snapshots/<id>`.'),
  device: z.string(),
  ts: ms('When the picture was taken'),
  cause: z.string().describe('The event type that asked for it (`camera.motion`, `camera.tamper`), or `schedule` (`video.snapshots.every`).'),
  bytes: z.number().describe('Size of the JPEG.'),
  width: z.number(),
  height: z.number(),
  url: z.string().describe('Where to GET the JPEG, on this server.'),
  event: z
    .object({ id: z.number(), type: z.string(), message: z.string() })
    .optional()
    .describe('The event that carries it, while that event is among the recent ones (`GET /api/v1/events`).'),
});

export const cameraSchema = z.object({
  device: z.string(),
  name: z.string().optional(),
  stream: z.string().describe('The stream\'s name: the ONVIF driver names it after the media profile (`main`).'),
  deviceState: deviceStateSchema,
  relayed: z.boolean().describe('The gateway relays the stream (`video.relay`); otherwise players cannot watch it here.'),
  up: z.boolean().describe('The relay receives the stream now.'),
  state: z.enum(['up', 'down', 'connecting']).optional().describe('The relay\'s state of the stream (relayed streams only).'),
  bitrate: z.number().optional().describe('What the camera sends, kbit/s, averaged over a few seconds (relayed streams only).'),
  viewers: z.number().optional().describe('Players connected to the relay for this stream (relayed streams only).'),
  player: z
    .object({
      flv: z.string().describe('The stream as HTTP-FLV, a path on this API (`/api/v1/cameras/{device}/{stream}/live.flv`).'),
    })
    .optional()
    .describe('Where a browser plays it (relayed streams only): through the API, with the page\'s own login; the relay\'s token never leaves the gateway.'),
  ptz: z
    .object({ pan: z.number().optional(), tilt: z.number().optional(), zoom: z.number().optional() })
    .optional()
    .describe('Where the head points, from the latest `ptz.pan`, `ptz.tilt`, `ptz.zoom` readings (cameras with PTZ).'),
  latestSnapshot: snapshotSchema.optional().describe('The newest stored picture of the camera.'),
});
