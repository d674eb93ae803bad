/**
 * An SL 651 station's `connection` block. Stations dial in, so the gateway listens: `host`/`port`
 * say where, and the station is recognised by the address it sends in every frame, checked with its
 * password. Devices with the same `host` and `port` share one TCP server.
 */
import { byteSize, duration } from '@sensegate/sdk';
import { z } from 'zod';
import { isTimeZone } from '../protocol/station-time.js';

export const REPLIES = ['esc', 'eot', 'none'] as const;
export type ReplyMode = (typeof REPLIES)[number];

const upper = (s: string) => s.toUpperCase();

export const connectionSchema = z
  .object({
    host: z
      .string()
      .min(1)
      .default('0.0.0.0')
      .describe('Address the gateway listens on for this station (0.0.0.0: every IPv4 interface).'),
    port: z
      .number()
      .int()
      .min(0)
      .max(65535)
      .default(5651)
      .describe('TCP port the station connects to; stations on the same host and port share one server (0: any free port, for tests).'),
    address: z
      .string()
      .regex(/^[0-9A-Fa-f]{10}$/, 'a station address is 10 hex digits (5 bytes), e.g. 0012345678')
      .transform(upper)
      .describe('Station (telemetry station) address as the station sends it in every frame: 10 hex digits, e.g. 0012345678.'),
    password: z
      .string()
      .regex(/^[0-9A-Fa-f]{4}$/, 'a password is 4 hex digits (2 bytes), e.g. 1234')
      .transform(upper)
      .describe('The station\'s password: 4 hex digits (2 bytes). Frames with another password are refused.'),
    centre: z
      .number()
      .int()
      .min(0)
      .max(255)
      .optional()
      .describe('Centre address (0..255) the station must send; frames addressed to another centre are refused. Any when left out.'),
    timeZone: z
      .string()
      .refine(isTimeZone, 'an IANA time zone (Asia/Shanghai), UTC, or an offset such as +08:00')
      .default('Asia/Shanghai')
      .describe('Time zone of the station\'s clock: its send and observation times are local times without a zone.'),
    reply: z
      .enum(REPLIES)
      .default('esc')
      .describe('How reports are confirmed: `esc` (the station stays online), `eot` (the station may hang up), `none` (self-report mode M1, no confirmation).'),
    maxConnections: z
      .number()
      .int()
      .min(1)
      .max(100_000)
      .default(256)
      .describe('Open connections the server accepts at once; more are closed on arrival. A shared server uses the lowest value of its devices.'),
    idleTimeout: duration(
      'Close a connection that sends no frame for this long; the station is offline until it reconnects. A shared server uses the longest value of its devices.',
    ).default(300_000),
    maxMessageBytes: byteSize('Largest multi-packet (SYN) message reassembled for this station; a larger one is dropped and logged.').default(1_048_576),
  })
  .strict()
  .describe('Where the gateway listens for an SL 651 station and how it recognises and answers it.');

export type Sl651Connection = z.output<typeof connectionSchema>;
export type Sl651ConnectionInput = z.input<typeof connectionSchema>;
