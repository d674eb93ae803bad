/**
 * The relay's own fields of a `sinks: - type: hj212` block (the gateway adds `type`, `name` and the
 * delivery settings every sink shares): relay the stations' data upstream, as an HJ 212 client, to a
 * higher platform (stations often must report to the city and to the province). One block per
 * platform, each with its own journal cursor, so an outage of one platform replays to that
 * platform alone.
 */
import { backoffSchema, duration, identifier, secret } from '@sensegate/sdk';
import { z } from 'zod';

const stationOverride = z
  .object({
    device: identifier('Id of an `hj212` device of this gateway.'),
    mn: z.string().min(1).max(64).optional().describe('MN to report under (default: the device\'s own `mn`).'),
    password: secret('Password (PW) the upstream platform expects for this station (default: the device\'s own password).').optional(),
    st: z.string().regex(/^\d{2}$/).optional().describe('System type (ST) to report (default: the sink\'s `st`).'),
  })
  .strict();

export const hj212SinkSchema = z
  .object({
    host: z.string().min(1).describe('Host name or address of the upstream platform.'),
    port: z.number().int().min(1).max(65535).describe('TCP port of the upstream platform.'),
    devices: z
      .array(identifier('Device id.'))
      .optional()
      .describe('Which `hj212` devices to relay (default: every `hj212` device of the gateway).'),
    stations: z.array(stationOverride).default([]).describe('Per-station MN, password or ST the upstream platform assigned, where they differ from the device\'s own.'),
    st: z.string().regex(/^\d{2}$/).default('22').describe('System type (ST) of relayed packets when neither the station override nor the device gives one: 21 surface water, 22 air quality, 32 water pollution source, ...'),
    ack: z
      .boolean()
      .default(true)
      .describe('Ask the platform to acknowledge every packet (Flag A bit, answered by CN 9014) and count a reading as delivered only then. Without it a reading counts as delivered once written to the socket.'),
    ackTimeout: duration('How long to wait for a 9014 acknowledgement before the connection is considered dead and replaced.').default(10_000),
    connectTimeout: duration('Time allowed for the TCP connection.').default(10_000),
    reconnect: backoffSchema.default({ initialDelay: 1000, maxDelay: 60_000 }),
  })
  .strict();

export type Hj212SinkConfig = z.output<typeof hj212SinkSchema>;
