/**
 * The OpenAPI 3.1 document, written from the route declarations (route.ts): paths, parameters,
 * bodies and answers come from the same zod schemas the server validates with, so what the document
 * says is what the server does. Served at `/api/openapi.json`.
 */
import { z } from 'zod';
import { errorSchema, isRaw, type Route } from './route.js';

type Json = Record<string, unknown>;

function schemaOf(schema: z.ZodType, io: 'input' | 'output'): Json {
  const json = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Json;
  delete json.$schema;
  return json;
}

function parameters(schema: z.ZodType | undefined, where: 'path' | 'query'): Json[] {
  if (!schema) return [];
  const json = schemaOf(schema, 'input') as { properties?: Record<string, Json>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, s]) => {
    const { description, ...rest } = s as Json & { description?: string };
    return {
      name,
      in: where,
      required: where === 'path' || (json.required ?? []).includes(name),
      ...(description ? { description } : {}),
      schema: rest,
    };
  });
}

const STATUS_TEXT: Record<number, string> = {
  400: 'The request did not validate; each problem is named at its field path.',
  401: 'No credentials, or credentials that are not valid (log in, or give a token).',
  403: 'The user\'s role does not allow this, or the CSRF token is missing.',
  404: 'Not found.',
};

export function openApiDocument(routes: readonly Route[], info: { version: string; gateway: string }): Json {
  const paths: Record<string, Record<string, Json>> = {};
  for (const r of routes) {
    const path = r.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const responses: Record<string, Json> = {};
    responses['200'] = isRaw(r.answer)
      ? { description: r.answer.description, content: { [r.answer.contentType.split(';')[0]!]: { schema: { type: 'string' } } } }
      : { description: 'OK', content: { 'application/json': { schema: schemaOf(r.answer, 'output') } } };
    const error = { 'application/json': { schema: schemaOf(errorSchema, 'output') } };
    const statuses: Record<number, string> = { ...r.errors };
    if (r.params || r.query || r.body) statuses[400] = STATUS_TEXT[400]!;
    if (r.access !== 'open') Object.assign(statuses, { 401: STATUS_TEXT[401], 403: STATUS_TEXT[403] });
    for (const [status, description] of Object.entries(statuses)) {
      // A write answers its acknowledgement with 422 and 503, not the error body.
      const ack = (status === '422' || status === '503') && r.tag === 'commands' && !isRaw(r.answer);
      const content = ack ? { 'application/json': { schema: schemaOf(r.answer as z.ZodType, 'output') } } : status === '503' && r.path === '/readyz' ? (responses['200'] as Json).content : error;
      responses[status] = { description, content };
    }
    (paths[path] ??= {})[r.method.toLowerCase()] = {
      operationId: operationId(r),
      summary: r.summary,
      ...(r.description ? { description: r.description } : {}),
      tags: [r.tag],
      parameters: [...parameters(r.params, 'path'), ...parameters(r.query, 'query')],
      ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: schemaOf(r.body, 'input') } } } } : {}),
      responses,
      ...(r.access === 'open' ? { security: [] } : { 'x-sensegate-role': r.access }),
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'sensegate gateway API',
      version: info.version,
      description: `The HTTP API of gateway ${info.gateway}: status, devices and points, alarms and events, cameras and snapshots, sinks and journal, configuration, commands (docs/api.md).`,
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }, { session: [] }],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'An API token from `sensegate users token NAME`.' },
        session: { type: 'apiKey', in: 'cookie', name: 'sensegate-session', description: 'The console\'s session, from `POST /api/v1/login` (`__Host-sensegate-session` over HTTPS); changes also need the `x-csrf-token` header.' },
      },
    },
    tags: [...new Set(routes.map((r) => r.tag))].map((name) => ({ name })),
    paths,
  };
}

function operationId(r: Route): string {
  const words = r.path
    .replace(/^\/api\/v1\//, '')
    .replace(/^\//, '')
    .split('/')
    .map((w) => (w.startsWith(':') ? `by-${w.slice(1)}` : w));
  return [r.method.toLowerCase(), ...words]
    .join('-')
    .replace(/[^A-Za-z0-9]+(.)/g, (_, c: string) => c.toUpperCase());
}
