/**
 * One API route, declared once: its method and path, who may call it, the zod schemas of its path
 * parameters, query, body and answer, and its handler. The same declaration registers the route with
 * fastify, validates what arrives (a bad request is answered 400 with each problem at its field path),
 * and writes the route into the OpenAPI document (openapi.ts), so the document cannot drift from
 * what the server does.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ERROR_CATALOG, describeZodError, formatPath } from '@sensegate/sdk';
import { z } from 'zod';

/** Who may call a route: anyone (health checks), or a user with at least this role. */
export type RoleNeeded = 'open' | 'viewer' | 'operator' | 'admin';

export interface RouteContext<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  request: FastifyRequest;
  reply: FastifyReply;
}

/** What a route answers besides its JSON: a media type and a description, for the OpenAPI document. */
export interface RawAnswer {
  contentType: string;
  description: string;
}

export interface Route<P = unknown, Q = unknown, B = unknown, R = unknown> {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** fastify path syntax: `/api/v1/devices/:id`. */
  path: string;
  /** One line for the OpenAPI document and the console's help. */
  summary: string;
  description?: string;
  tag: string;
  access: RoleNeeded;
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  /** The JSON answer's schema (200), or a raw answer (metrics text, an event stream, a JPEG). */
  answer: z.ZodType<R> | RawAnswer;
  /** Other answers the route gives, by status, e.g. `{ 404: 'no such device' }`. */
  errors?: Record<number, string>;
  /** Returns the JSON answer; a raw route writes to `reply` itself and returns undefined. */
  handler(ctx: RouteContext<P, Q, B>): Promise<R | undefined> | R | undefined;
}

export function route<P = undefined, Q = undefined, B = undefined, R = unknown>(r: Route<P, Q, B, R>): Route {
  return r as unknown as Route;
}

/** The error body of every answer that is not 2xx. */
export const errorSchema = z
  .object({
    error: z.object({
      code: z.string().describe('A stable SG_* code (docs/errors.md).'),
      message: z.string().describe('What went wrong, naming what and where.'),
      action: z.string().optional().describe('What to do about it (the code\'s entry in docs/errors.md).'),
      problems: z
        .array(z.object({ path: z.string(), message: z.string() }))
        .optional()
        .describe('Each problem of a request that did not validate, at its field path.'),
    }),
  })
  .describe('An error.');

export type ErrorBody = z.output<typeof errorSchema>;

/** An answer other than 200, thrown by handlers and turned into its status and error body. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly problems?: Array<{ path: string; message: string }>,
  ) {
    super(message);
  }

  get body(): ErrorBody {
    const action = (ERROR_CATALOG as Record<string, { action: string }>)[this.code]?.action;
    return { error: { code: this.code, message: this.message, ...(action ? { action } : {}), ...(this.problems ? { problems: this.problems } : {}) } };
  }
}

export function notFound(what: string): ApiError {
  return new ApiError(404, 'SG_API_NOT_FOUND', what);
}

/** Parses one part of a request with its schema, or throws a 400 naming each field. */
export function parsePart<T>(schema: z.ZodType<T> | undefined, value: unknown, part: 'params' | 'query' | 'body'): T {
  if (!schema) return undefined as T;
  const result = schema.safeParse(value ?? (part === 'body' ? undefined : {}));
  if (result.success) return result.data;
  const problems = describeZodError(result.error, [part]).map((p) => ({ path: formatPath(p.path), message: p.message }));
  throw new ApiError(400, 'SG_API_BAD_REQUEST', `the request's ${part} did not validate: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, problems);
}

export function isRaw(answer: Route['answer']): answer is RawAnswer {
  return typeof (answer as RawAnswer).contentType === 'string';
}
