/**
 * An HJ 212 station's `connection` block. Data loggers dial in, so the gateway listens: `host` and
 * `port` say where, and every station whose block names the same host and port shares one TCP
 * server. A station is recognised by the MN in every packet and checked with its password. The
 * listener's protections (allow-list, connection limits, deadlines, back-off, log limit) are the
 * SDK's shared `stationListenerFields`, the same for every protocol.
 */
import { duration, isTimeZone, stationListenerFields } from '@sensegate/sdk';
import { z } from 'zod';
import { DEFAULT_MAX_SEGMENT, MAX_LENGTH_FIELD } from '../protocol/frame.js';

export const DIALECTS = ['2017', '2005'] as const;

/** Ten minutes: loggers commonly upload minute data (2051) that often, and some send nothing else. */
const { host, ...listener } = stationListenerFields({ idleTimeout: 600_000 });

export const connectionSchema = z
  .object({
    host,
    port: z
      .number()
      .int()
      .min(0)
      .max(65535)
      .describe('TCP port the station\'s data logger connects to; stations with the same host and port share one server (0: any free port, for tests).'),
    mn: z
      .string()
      .regex(/^[A-Za-z0-9]{1,32}$/, 'an MN is letters and digits: 24 characters in HJ 212-2017, 14 in HJ/T 212-2005')
      .describe('The station\'s MN (unique id of the monitoring point) as its logger sends it in every packet: 24 characters in HJ 212-2017, 14 in HJ/T 212-2005.'),
    password: z
      .string()
      .min(1)
      .max(32)
      .regex(/^[^;=&]*$/, 'a password cannot contain ; = or &')
      .describe('The station\'s access password (PW, usually 6 characters). A packet with another password is refused, its connection closed and its address refused for a while (authBackoff); never logged.'),
    st: z
      .string()
      .regex(/^\d{2}$/, 'a two-digit system code, e.g. 22 (air quality) or 21 (surface water)')
      .optional()
      .describe('System code (ST) used in commands to the station, e.g. 22 air quality, 21 surface water, 32 water pollution source. Default: the ST of the station\'s last packet.'),
    timeZone: z
      .string()
      .refine(isTimeZone, 'an IANA time zone (Asia/Shanghai), UTC, or an offset such as +08:00')
      .default('Asia/Shanghai')
      .describe('Time zone of the station\'s clock: DataTime and QN are local times without a zone.'),
    dialect: z
      .enum(DIALECTS)
      .default('2017')
      .describe('Protocol edition of the station: `2017` (HJ 212-2017, Flag version 1) or `2005` (HJ/T 212-2005: no version bits, 3-character codes). Sets the Flag of the packets sent to it.'),
    ...listener,
    maxFrameBytes: z
      .number()
      .int()
      .min(64)
      .max(MAX_LENGTH_FIELD)
      .default(DEFAULT_MAX_SEGMENT)
      .describe('Largest data segment accepted, in bytes (the frame\'s four length digits). The standard allows 1024; loggers often send more. A shared server uses the largest value of its stations.'),
    splitTimeout: duration(
      'How long the packets of a split message (Flag bit D, PNUM/PNO) may take to arrive; an incomplete set is dropped, counted and logged after it.',
    ).default(60_000),
  })
  .strict()
  .describe('Where the gateway listens for an HJ 212 station and how it recognises it.');

export type Hj212Connection = z.output<typeof connectionSchema>;
export type Hj212ConnectionInput = z.input<typeof connectionSchema>;
