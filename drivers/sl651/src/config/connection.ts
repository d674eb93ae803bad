/**
 * An SL 651 station's `connection` block. Stations dial in, so the gateway listens: `host`/`port`
 * say where, and the station is recognised by the address it sends in every frame, checked with its
 * password. Devices with the same `host` and `port` share one TCP server. The listener's
 * protections (allow-list, connection limits, deadlines, back-off, memory and log limits) are the
 * SDK's shared `stationListenerFields`, the same for every protocol.
 */
import { byteSize, isTimeZone, stationListenerFields } from '@sensegate/sdk';
import { z } from 'zod';

export const REPLIES = ['esc', 'eot', 'none'] as const;
export type ReplyMode = (typeof REPLIES)[number];

const upper = (s: string) => s.toUpperCase();

/** Five minutes: a station that stays online sends several keep-alives (2F) within it. */
const { host, ...listener } = stationListenerFields({ idleTimeout: 300_000 });

export const connectionSchema = z
  .object({
    host,
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
      .describe(
        'The station\'s password: 4 hex digits (2 bytes). A frame with another password is refused, its connection closed and its address refused for a while (authBackoff); never logged, and masked (** **) in frame excerpts.',
      ),
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
    ...listener,
    maxMessageBytes: byteSize('Largest multi-packet (SYN) message reassembled for this station; a larger one is dropped and logged.').default(1_048_576),
  })
  .strict()
  .describe('Where the gateway listens for an SL 651 station and how it recognises and answers it.');

export type Sl651Connection = z.output<typeof connectionSchema>;
export type Sl651ConnectionInput = z.input<typeof connectionSchema>;
