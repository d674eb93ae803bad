/** Where the feed goes: each sink's delivery, and the journal that holds what is not delivered yet. */
import { z } from 'zod';
import { journalSchema, sinkSchema } from '../answers.js';
import type { ApiContext } from '../context.js';
import { route, type Route } from '../route.js';

export function deliveryRoutes(ctx: ApiContext): Route[] {
  const { gateway } = ctx;
  return [
    route({
      method: 'GET',
      path: '/api/v1/sinks',
      tag: 'delivery',
      access: 'viewer',
      summary: 'Each sink: connected, cursor, in flight, backlog (entries, bytes, oldest and its age), delivery rate, dead letters.',
      answer: z.array(sinkSchema),
      handler: async () => {
        const now = Date.now();
        return (await gateway.sinkStates()).map((s) => ({
          ...s,
          backlog: { ...s.backlog, ...(s.backlog.oldestTs !== undefined ? { oldestAge: Math.max(0, now - s.backlog.oldestTs) } : {}) },
          rate: ctx.rates.rate(s.name, s.cursor),
        }));
      },
    }),
    route({
      method: 'GET',
      path: '/api/v1/journal',
      tag: 'delivery',
      access: 'viewer',
      summary: 'The journal: size, entries, sequence bounds, oldest entry, drops, disk space, storage settings.',
      answer: journalSchema,
      handler: () => gateway.journalState(),
    }),
  ];
}
