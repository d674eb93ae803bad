/**
 * The gateway configuration file, top level. Devices and sinks are validated in a second step
 * against their driver's or sink's schema (see device-schema.ts and sinks/sink-schema.ts), because
 * which schema applies depends on the `driver` or `type` field, and third-party drivers and sinks
 * are only known once loaded.
 */
import { identifier } from '@sensegate/sdk';
import { z } from 'zod';
import { apiConfigSchema } from '../api/schema.js';
import { commandsConfigSchema } from '../commands/schema.js';
import { journalConfigSchema } from '../journal/schema.js';
import { videoConfigSchema } from '../video/schema.js';

export const gatewaySectionSchema = z
  .object({
    id: identifier('Gateway id, unique in the city; the `gateway` of every message and part of every topic.'),
    name: z.string().optional().describe('Human-readable name, e.g. the site name.'),
    description: z.string().optional().describe('Free text for operators.'),
    tags: z
      .record(z.string(), z.string())
      .optional()
      .describe('Free key/value metadata (district, site, coordinates), published in the birth message.'),
    dataGroup: z
      .union([z.string().regex(/^[a-z_][a-z0-9_-]*\$?$/i, 'an operating-system group name, e.g. sensegate-ops'), z.number().int().min(0)])
      .optional()
      .describe(
        'Operating-system group (name or number) that may read the data folder (journal, snapshots, state): folders 0750 and files 0640, owned by that group. Default: only the gateway\'s own user (0700 and 0600).',
      ),
  })
  .strict()
  .describe('Who this gateway is.');

export const logSchema = z
  .object({
    level: z.enum(['trace', 'debug', 'info', 'warn', 'error']).default('info').describe('Lowest level written.'),
    format: z
      .enum(['text', 'json'])
      .optional()
      .describe('`text` for people, `json` (one object per line) for log collectors; default: text on a terminal, json otherwise.'),
  })
  .strict()
  .describe('Logging. One line per state change of a device or sink, never one per reading at info level.');

export const configSchema = z
  .object({
    gateway: gatewaySectionSchema,
    log: logSchema.default({ level: 'info' }),
    journal: journalConfigSchema.default(journalConfigSchema.parse({})).describe('The durable outbox between devices and sinks.'),
    sinks: z
      .array(z.unknown())
      .default([])
      .describe('Platform endpoints the feed is forwarded to, each with its own journal cursor; each is validated against its sink\'s schema.'),
    commands: commandsConfigSchema.default(commandsConfigSchema.parse({})),
    video: videoConfigSchema.default(videoConfigSchema.parse({})),
    api: apiConfigSchema.default(apiConfigSchema.parse({})),
    devices: z
      .array(z.unknown())
      .default([])
      .describe('Field devices; each is validated against its driver\'s schema (see the driver\'s README).'),
  })
  .strict();

export type GatewaySection = z.output<typeof gatewaySectionSchema>;
export type LogSettings = z.output<typeof logSchema>;
export type TopLevelConfig = z.output<typeof configSchema>;
