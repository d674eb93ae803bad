/**
 * Devices and their points: state, poll figures and last error; each point's latest reading and its
 * trend; the read plan; and writes and driver commands, which go through the command router exactly
 * as those from the platform do (allow-list, schemas, rate, audit), with the user named in the audit.
 */
import { randomUUID } from 'node:crypto';
import { isReadPoint, ID_PATTERN, type Reading } from '@sensegate/sdk';
import { z } from 'zod';
import type { DeviceRunner } from '../../runtime/device-runner.js';
import { ackSchema, deviceDetailSchema, deviceSummarySchema, historySchema, planSchema, pointSchema } from '../answers.js';
import type { ApiContext } from '../context.js';
import { ApiError, notFound, route, type Route } from '../route.js';

const deviceParams = z.object({ id: z.string().regex(ID_PATTERN, 'a device id').describe('Device id.') });
const pointParams = deviceParams.extend({ point: z.string().regex(ID_PATTERN, 'a point id').describe('Point id.') });

function summary(runner: DeviceRunner) {
  const health = runner.health.snapshot;
  return {
    id: runner.id,
    ...(runner.config.name ? { name: runner.config.name } : {}),
    driver: runner.config.driver,
    tags: runner.config.tags,
    state: health.state,
    since: health.since,
    ...(health.reason ? { reason: health.reason } : {}),
    ...(health.code ? { code: health.code } : {}),
    ...(health.lastGoodAt ? { lastGoodAt: health.lastGoodAt } : {}),
    points: runner.ref.points.length,
    stats: runner.stats.snapshot,
  };
}

function latestOf(reading: Reading | undefined) {
  if (!reading) return undefined;
  const { device: _d, point: _p, unit: _u, ...rest } = reading;
  return rest;
}

export function deviceRoutes(ctx: ApiContext): Route[] {
  const runner = (id: string): DeviceRunner => {
    const r = ctx.gateway.runners.get(id);
    if (!r) throw notFound(`no device "${id}" in ${ctx.gateway.config.file}`);
    return r;
  };
  const points = (r: DeviceRunner) => {
    const live = ctx.gateway.live;
    return [
      ...r.ref.points.map((p) => ({
        id: p.id,
        ...(p.spec.name ? { name: p.spec.name } : {}),
        ...(p.spec.unit ? { unit: p.spec.unit } : {}),
        ...(typeof p.spec.type === 'string' ? { type: p.spec.type } : {}),
        direction: p.spec.direction,
        writable: p.spec.writable,
        derived: false,
        ...(isReadPoint(p.spec) ? { pollInterval: p.spec.pollInterval ?? r.config.pollInterval } : {}),
        ...(live?.latestOf(r.id, p.id) ? { latest: latestOf(live.latestOf(r.id, p.id)) } : {}),
      })),
      ...ctx.gateway.derivedPoints(r.id).map((p) => ({
        id: p.id,
        ...(p.name ? { name: p.name } : {}),
        ...(p.unit ? { unit: p.unit } : {}),
        direction: 'read' as const,
        writable: false,
        derived: true,
        ...(live?.latestOf(r.id, p.id) ? { latest: latestOf(live.latestOf(r.id, p.id)) } : {}),
      })),
    ];
  };
  const command = async (request: Record<string, unknown>, from: string) => {
    const router = ctx.gateway.router;
    if (!router) throw new ApiError(503, 'SG_API_UNAVAILABLE', 'the gateway is starting: commands are not taken yet');
    const ack = await router.handle(JSON.stringify({ id: randomUUID(), ts: Date.now(), ...request }), { from });
    return ack;
  };

  return [
    route({
      method: 'GET',
      path: '/api/v1/devices',
      tag: 'devices',
      access: 'viewer',
      summary: 'Every device: state, why, poll figures, errors by code and the last error.',
      answer: z.array(deviceSummarySchema),
      handler: () => [...ctx.gateway.runners.values()].map(summary),
    }),
    route({
      method: 'GET',
      path: '/api/v1/devices/:id',
      tag: 'devices',
      access: 'viewer',
      summary: 'One device with its points and their latest readings, and the commands its driver offers.',
      params: deviceParams,
      answer: deviceDetailSchema,
      errors: { 404: 'no such device' },
      handler: ({ params }) => {
        const r = runner(params.id);
        const info = ctx.gateway.deviceInfoOf(r.id);
        const commands = ctx.gateway.drivers.get(r.config.driver)?.commands ?? {};
        return {
          ...summary(r),
          pollInterval: r.config.pollInterval,
          ...(info ? { info: { ...info } } : {}),
          commands: Object.entries(commands).map(([name, c]) => ({ name, description: c.description })),
          pointList: points(r),
        };
      },
    }),
    route({
      method: 'GET',
      path: '/api/v1/devices/:id/points',
      tag: 'devices',
      access: 'viewer',
      summary: 'A device\'s points with their latest readings (value, quality, status, time, unit).',
      params: deviceParams,
      answer: z.array(pointSchema),
      errors: { 404: 'no such device' },
      handler: ({ params }) => points(runner(params.id)),
    }),
    route({
      method: 'GET',
      path: '/api/v1/devices/:id/points/:point/history',
      tag: 'devices',
      access: 'viewer',
      summary: 'A point\'s recent numeric history, kept in memory for trends (`api.history`).',
      params: pointParams,
      query: z.object({ since: z.coerce.number().optional().describe('Only samples at or after this time, ms since the epoch.') }),
      answer: historySchema,
      errors: { 404: 'no such device or point, or the API keeps no history' },
      handler: ({ params, query }) => {
        const r = runner(params.id);
        const point = points(r).find((p) => p.id === params.point);
        if (!point) throw notFound(`device ${r.id} has no point "${params.point}"`);
        const history = ctx.gateway.live?.history(r.id, params.point, query.since) ?? { ts: [], value: [], quality: [] };
        return {
          device: r.id,
          point: params.point,
          ...(point.unit ? { unit: point.unit } : {}),
          interval: ctx.gateway.config.api.history.interval,
          ...history,
        };
      },
    }),
    route({
      method: 'GET',
      path: '/api/v1/devices/:id/plan',
      tag: 'devices',
      access: 'viewer',
      summary: 'How the device is read: its poll groups and the requests of each (as `sensegate plan`).',
      params: deviceParams,
      answer: planSchema,
      errors: { 404: 'no such device' },
      handler: ({ params }) => {
        const r = runner(params.id);
        return { device: r.id, driver: r.config.driver, groups: r.describePlan() };
      },
    }),
    route({
      method: 'POST',
      path: '/api/v1/devices/:id/points/:point/write',
      tag: 'commands',
      access: 'operator',
      summary: 'Write a value to a point, through the command router (allow-list `device/point`, audit, acknowledgement).',
      description:
        'Answers the acknowledgement: 200 when the device took the value, 503 when it may succeed later (busy, timeout), 422 when refused (not in `commands.allow`, not writable, wrong type) or failed.',
      params: pointParams,
      body: z.object({ value: z.union([z.number(), z.boolean(), z.string(), z.null()]).describe('The value, in the point\'s engineering units.'), timeout: z.number().int().positive().optional() }).strict(),
      answer: ackSchema,
      errors: { 422: 'refused or failed (the acknowledgement says why)', 503: 'busy or timed out: try again' },
      handler: async ({ params, body, request, reply }) => {
        runner(params.id);
        const ack = await command({ device: params.id, point: params.point, value: body.value, ...(body.timeout ? { timeout: body.timeout } : {}) }, ctx.origin(request));
        reply.code(ack.ok ? 200 : ack.error?.retryable ? 503 : 422);
        return ack;
      },
    }),
    route({
      method: 'POST',
      path: '/api/v1/devices/:id/commands/:command',
      tag: 'commands',
      access: 'operator',
      summary: 'Run a driver command (a PTZ move, a preset), through the command router (allow-list `device:command`, its schema, audit).',
      description: 'Answers the acknowledgement, with the status codes of a write.',
      params: deviceParams.extend({ command: z.string().min(1).max(128).describe('The command, e.g. `ptz.move`.') }),
      body: z.object({ args: z.record(z.string(), z.unknown()).optional(), timeout: z.number().int().positive().optional() }).strict(),
      answer: ackSchema,
      errors: { 422: 'refused or failed (the acknowledgement says why)', 503: 'busy or timed out: try again' },
      handler: async ({ params, body, request, reply }) => {
        runner(params.id);
        const ack = await command(
          { device: params.id, command: params.command, ...(body.args ? { args: body.args } : {}), ...(body.timeout ? { timeout: body.timeout } : {}) },
          ctx.origin(request),
        );
        reply.code(ack.ok ? 200 : ack.error?.retryable ? 503 : 422);
        return ack;
      },
    }),
  ];
}
