/** What the API's routes read from: the running gateway, and the API's own parts. */
import type { FastifyRequest } from 'fastify';
import type { Logger } from '@sensegate/sdk';
import type { Gateway } from '../runtime/gateway.js';
import type { DeliveryRates } from './delivery-rates.js';
import type { ProcessStats } from './process-stats.js';
import type { LiveStreams } from './live-stream.js';

export interface ApiContext {
  gateway: Gateway;
  process: ProcessStats;
  rates: DeliveryRates;
  streams: LiveStreams;
  log: Logger;
  /** Who sent a request, for the audit: `http local@127.0.0.1`, `http anna@10.0.5.7`. */
  origin(request: FastifyRequest): string;
}
