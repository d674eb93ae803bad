/**
 * The `api:` block: the gateway's HTTP API, `/metrics`, `/healthz`, `/readyz` and the console, served
 * by `sensegate run`. On by default, on loopback only: whoever can reach 127.0.0.1 on the gateway box
 * already has its files. Anything beyond loopback needs TLS and users (docs/security.md).
 */
import { duration, isLoopback } from '@sensegate/sdk';
import { accessShape } from './auth/schema.js';
import { z } from 'zod';

export const DEFAULT_API_PORT = 8780;

const historySchema = z
  .object({
    samples: z.number().int().min(0).max(100_000).default(300).describe('Samples kept per numeric point for trends (0: none). Memory: about 17 bytes a sample, allocated as a point fills up.'),
    interval: duration('At most one sample per point per this interval; a later reading in the same interval replaces it (the trend shows the latest value of each interval).')
      .pipe(z.number().min(100))
      .default(1000),
  })
  .strict()
  .describe('The short in-memory history per point behind the console\'s trends and `GET /api/v1/devices/{id}/points/{point}/history`. Not durable: the journal and the platform keep the record.');

export const apiConfigSchema = z
  .object({
    enabled: z.boolean().default(true).describe('Serve the HTTP API, metrics, health checks and console.'),
    host: z
      .string()
      .min(1)
      .default('127.0.0.1')
      .describe('Address to listen on. A loopback address (the default) serves plain HTTP and admits local requests without login; any other address (`0.0.0.0` for all) serves HTTPS and requires users (`sensegate users add`).'),
    port: z.number().int().min(0).max(65535).default(DEFAULT_API_PORT).describe('Port to listen on (0: a free one, logged at start).'),
    ...accessShape,
    history: historySchema.default(historySchema.parse({})),
    events: z.number().int().min(10).max(100_000).default(500).describe('Recent events kept in memory for `GET /api/v1/events` and clients that reconnect to the live stream.'),
    maxStreams: z.number().int().min(1).max(10_000).default(64).describe('Live-stream clients (Server-Sent Events) at once; more are answered 503.'),
    streamBuffer: z
      .number()
      .int()
      .min(16 * 1024)
      .max(64 * 1024 * 1024)
      .default(1024 * 1024)
      .describe('Bytes a live-stream client may fall behind by before it is disconnected; a client that stops reading never slows the gateway.'),
  })
  .strict()
  .describe('The HTTP API, Prometheus metrics, health checks and the console (docs/api.md).');

export type ApiConfig = z.output<typeof apiConfigSchema>;

/** Whether the API needs TLS and users: anything but a loopback address. */
export function exposed(config: ApiConfig): boolean {
  return !isLoopback(config.host);
}

export const apiDefaults: ApiConfig = apiConfigSchema.parse({});
