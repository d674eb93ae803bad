/** What the feed carries right now: active alarms, recent events, and the live stream of both and of readings. */
import { ID_PATTERN } from '@sensegate/sdk';
import { z } from 'zod';
import { alarmSchema, eventSchema } from '../answers.js';
import type { ApiContext } from '../context.js';
import { ApiError, route, type Route } from '../route.js';

const csv = (what: string) =>
  z
    .string()
    .max(16_384)
    .optional()
    .transform((s) => (s ? s.split(',').map((x) => x.trim()).filter(Boolean) : []))
    .describe(what);

export function feedRoutes(ctx: ApiContext): Route[] {
  const { gateway } = ctx;
  return [
    route({
      method: 'GET',
      path: '/api/v1/alarms',
      tag: 'feed',
      access: 'viewer',
      summary: 'Alarms raised and not yet cleared, with their state (level, since, value).',
      answer: z.array(alarmSchema),
      handler: () => gateway.status().alarms,
    }),
    route({
      method: 'GET',
      path: '/api/v1/events',
      tag: 'feed',
      access: 'viewer',
      summary: 'Recent events (the newest `api.events`), oldest first, filtered.',
      query: z.object({
        after: z.coerce.number().int().min(0).optional().describe('Only events with a larger `id`.'),
        device: csv('Only these devices (comma-separated).'),
        type: z.string().max(128).optional().describe('Only events whose type starts with this (`alarm.`, `device.state`).'),
        severity: z.enum(['info', 'warning', 'critical']).optional().describe('Only events at least this severe.'),
        limit: z.coerce.number().int().min(1).max(10_000).default(200).describe('At most this many, the newest.'),
      }),
      answer: z.array(eventSchema),
      handler: ({ query }) => {
        const rank = { info: 0, warning: 1, critical: 2 };
        const devices = new Set(query.device);
        const list = (gateway.live?.events(query.after ?? 0) ?? []).filter(
          (e) =>
            (devices.size === 0 || (e.device !== undefined && devices.has(e.device))) &&
            (query.type === undefined || e.type.startsWith(query.type)) &&
            (query.severity === undefined || rank[e.severity] >= rank[query.severity]),
        );
        return list.slice(-query.limit);
      },
    }),
    route({
      method: 'GET',
      path: '/api/v1/stream',
      tag: 'feed',
      access: 'viewer',
      summary: 'Live readings (changed points, at most twice a second) and events, as Server-Sent Events.',
      description:
        'Messages: `event: readings` with a JSON array of readings; `event: event` with one event and its `id`. ' +
        'With `device`, the stream starts with the latest reading of each of those devices\' points. A client that falls `api.streamBuffer` bytes behind is disconnected; ' +
        'reconnecting with `Last-Event-ID` resends the events it missed that are still recent. 503 when `api.maxStreams` clients are connected.',
      query: z.object({
        device: csv('Only these devices (comma-separated).').pipe(z.array(z.string().regex(ID_PATTERN, 'a device id')).max(1000)),
        readings: z.enum(['0', '1']).default('1').describe('Send readings.'),
        events: z.enum(['0', '1']).default('1').describe('Send events.'),
      }),
      answer: { contentType: 'text/event-stream', description: 'A stream of Server-Sent Events.' },
      errors: { 503: 'too many live-stream clients' },
      handler: ({ query, request, reply }) => {
        if (ctx.streams.full) throw new ApiError(503, 'SG_API_BUSY', `${ctx.streams.count} live-stream clients are connected, the most api.maxStreams allows; try again later`);
        const last = Number(request.headers['last-event-id']);
        reply.hijack();
        ctx.streams.open(
          reply.raw,
          { devices: new Set(query.device), readings: query.readings === '1', events: query.events === '1' },
          ctx.origin(request),
          Number.isInteger(last) && last >= 0 ? last : undefined,
        );
        return undefined;
      },
    }),
  ];
}
