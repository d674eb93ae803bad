/**
 * The gateway as a whole: its status, the health checks, the Prometheus metrics.
 * `/healthz` answers 200 while the process serves requests at all (for a supervisor's liveness check);
 * `/readyz` answers 200 only while the gateway does its job, and 503 with the reasons otherwise
 * (docs/api.md, Health checks).
 */
import type { DeviceState } from '@sensegate/sdk';
import { PROMETHEUS_CONTENT_TYPE } from '../../metrics.js';
import { healthSchema, readySchema, statusSchema } from '../answers.js';
import type { ApiContext } from '../context.js';
import { route, type Route } from '../route.js';

export function gatewayRoutes(ctx: ApiContext): Route[] {
  const { gateway } = ctx;
  return [
    route({
      method: 'GET',
      path: '/healthz',
      tag: 'health',
      access: 'open',
      summary: 'The process answers: 200 as long as it serves requests.',
      answer: healthSchema,
      handler: () => ({ ok: true }),
    }),
    route({
      method: 'GET',
      path: '/readyz',
      tag: 'health',
      access: 'open',
      summary: 'The gateway does its job: journal open and writable, every sink connected or within 30 s of the start. 503 with the reasons otherwise.',
      answer: readySchema,
      errors: { 503: 'not ready; the body lists why' },
      handler: ({ reply }) => {
        const r = gateway.readiness();
        reply.code(r.ready ? 200 : 503);
        return r;
      },
    }),
    route({
      method: 'GET',
      path: '/metrics',
      tag: 'health',
      access: 'viewer',
      summary: 'Prometheus metrics, text exposition format (docs/metrics.md).',
      answer: { contentType: 'text/plain; version=0.0.4', description: 'Every series of the gateway, in the Prometheus text format.' },
      handler: ({ reply }) => {
        reply.type(PROMETHEUS_CONTENT_TYPE).send(gateway.metrics.render());
        return undefined;
      },
    }),
    route({
      method: 'GET',
      path: '/api/v1/status',
      tag: 'gateway',
      access: 'viewer',
      summary: 'The gateway at a glance: identity, version, uptime, CPU, memory, event-loop lag, devices by state, sinks, journal, readiness.',
      answer: statusSchema,
      handler: () => {
        const s = gateway.status();
        const devices: Partial<Record<DeviceState, number>> = {};
        for (const d of s.devices) devices[d.state] = (devices[d.state] ?? 0) + 1;
        return {
          gateway: s.gateway,
          ...(s.name ? { name: s.name } : {}),
          ...(s.tags ? { tags: s.tags } : {}),
          version: s.version,
          session: s.session,
          startedAt: s.startedAt,
          process: ctx.process.read(),
          devices,
          alarms: s.alarms.length,
          sinks: s.sinks.map((k) => ({ name: k.name, connected: k.connected, backlog: Math.max(0, s.journal.lastSeq - Math.max(k.cursor, s.journal.firstSeq - 1)) })),
          journal: { entries: s.journal.entries, bytes: s.journal.bytes, ...(s.journal.oldestTs !== undefined ? { oldestTs: s.journal.oldestTs } : {}), dropped: s.journal.dropped },
          ready: gateway.readiness(),
          streams: { clients: ctx.streams.count, dropped: ctx.streams.dropped },
        };
      },
    }),
  ];
}
