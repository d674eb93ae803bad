/**
 * The settings every station listener shares, defined once: drivers spread `stationListenerFields`
 * into their `connection` schema, so every listener (HJ 212, SL 651, and any later one) offers the
 * same protections under the same names, with the same defaults and documentation.
 *
 * Stations that name the same host and port share one server, and a server has one value of each
 * setting. `combineListenerSettings` derives it from its stations by one rule per field, stated in
 * the field's description: protections take the strictest value (lowest limit, longest refusal),
 * timers that would cut a station off take the longest.
 */
import { z } from 'zod';
import { byteSize, duration } from '../schema.js';
import { AllowList, isAllowEntry } from './allow-list.js';

export const LISTENER_DEFAULTS = {
  host: '0.0.0.0',
  maxConnections: 256,
  maxConnectionsPerAddress: 16,
  authTimeout: 60_000,
  authBackoff: { initialDelay: 2000, maxDelay: 300_000 },
  maxReassemblyBytes: 32 * 1024 * 1024,
  logLimit: { lines: 5, interval: 60_000 },
} as const;

/** The listener fields of a driver's `connection` schema; `idleTimeout` defaults per protocol. */
export function stationListenerFields(options: { idleTimeout: number }) {
  return {
    host: z
      .string()
      .min(1)
      .default(LISTENER_DEFAULTS.host)
      .describe(
        'Address the gateway listens on for this station: 0.0.0.0 every IPv4 interface, :: every interface, or the address of the interface that faces the stations. Stations dial in over the site network or a 4G modem, so the default listens everywhere; on a box with several networks bind to the stations\' side, and list the stations\' addresses in `allow`.',
      ),
    allow: z
      .array(z.string().refine(isAllowEntry, 'an IPv4 or IPv6 address, or a CIDR block such as 10.1.0.0/16'))
      .min(1)
      .optional()
      .describe(
        'Remote addresses this station may connect from (addresses or CIDR blocks). Its frames from elsewhere are refused and the connection closed; when every station on a server has a list, other addresses are refused on arrival, before a byte is read. Any address when left out.',
      ),
    maxConnections: z
      .number()
      .int()
      .min(1)
      .max(100_000)
      .default(LISTENER_DEFAULTS.maxConnections)
      .describe('Open connections the server accepts at once; more are closed on arrival. A shared server uses the lowest value of its stations.'),
    maxConnectionsPerAddress: z
      .number()
      .int()
      .min(1)
      .max(100_000)
      .default(LISTENER_DEFAULTS.maxConnectionsPerAddress)
      .describe(
        'Open connections one remote address (one /64 network for IPv6) may hold at once; more are closed on arrival, so that no single address can take every slot. Raise it when many stations reach the gateway through one NAT address. A shared server uses the lowest value of its stations.',
      ),
    authTimeout: duration(
      'Close a new connection that has not sent one accepted frame (a known station with the right password) within this long, so that strangers cannot hold connection slots, silent or not. Never longer than `idleTimeout`. A shared server uses the longest value of its stations.',
    ).default(LISTENER_DEFAULTS.authTimeout),
    idleTimeout: duration(
      'Close a connection on which no frame was accepted for this long; its stations are offline until they send again. Only accepted frames count: other bytes and refused frames do not keep a connection open. A shared server uses the longest value of its stations.',
    ).default(options.idleTimeout),
    authBackoff: z
      .object({
        initialDelay: duration('How long new connections from an address are refused after its first wrong password.').default(LISTENER_DEFAULTS.authBackoff.initialDelay),
        maxDelay: duration('Upper bound of the refusal; it doubles with every further wrong password up to this.').default(LISTENER_DEFAULTS.authBackoff.maxDelay),
      })
      .strict()
      .default({ ...LISTENER_DEFAULTS.authBackoff })
      .describe(
        'A wrong password closes the connection, and new connections from that address are refused on arrival for `initialDelay`, doubling with every further wrong password up to `maxDelay`; a station accepted from the address ends it. Guessing a password then takes months. A shared server uses the longest delays of its stations.',
      ),
    maxReassemblyBytes: byteSize(
      'Memory that all messages still arriving in several packets (SL 651 multi-packet messages, HJ 212 split uploads) may hold together on this server; a packet that does not fit drops its message, counted and logged. A shared server uses the lowest value of its stations.',
    ).default(LISTENER_DEFAULTS.maxReassemblyBytes),
    logLimit: z
      .object({
        lines: z.number().int().min(1).max(10_000).default(LISTENER_DEFAULTS.logLimit.lines).describe('Lines of one kind written per interval.'),
        interval: duration('The interval; one summary line per interval says what was left out.').default(LISTENER_DEFAULTS.logLimit.interval),
      })
      .strict()
      .default({ ...LISTENER_DEFAULTS.logLimit })
      .describe(
        'Log lines about what peers do (malformed data, refused frames and connections), per kind, across all connections of the server: at most `lines` per `interval`, then one summary line per interval with the counts and the number of addresses; every event is still counted in metrics. A shared server uses the lowest `lines` and the longest `interval` of its stations.',
      ),
  };
}

const fieldsSchema = z.object(stationListenerFields({ idleTimeout: 0 }));

/** A station's listener fields as validated. */
export type StationListenerFields = z.output<typeof fieldsSchema>;

/** The settings of one server, derived from its stations. */
export interface ListenerSettings {
  maxConnections: number;
  maxConnectionsPerAddress: number;
  /** Already capped at `idleTimeout`. */
  authTimeout: number;
  /** The setting that gave `authTimeout`, for messages. */
  authTimeoutSetting: 'authTimeout' | 'idleTimeout';
  idleTimeout: number;
  authBackoff: { initialDelay: number; maxDelay: number };
  maxReassemblyBytes: number;
  logLimit: { lines: number; interval: number };
  /** Addresses allowed on arrival: only when every station has a list (their union). */
  allow: AllowList | undefined;
}

/** The server's settings from its stations' fields (at least one). */
export function combineListenerSettings(stations: readonly StationListenerFields[]): ListenerSettings {
  if (stations.length === 0) throw new RangeError('a listener without stations has no settings');
  const min = (pick: (s: StationListenerFields) => number) => Math.min(...stations.map(pick));
  const max = (pick: (s: StationListenerFields) => number) => Math.max(...stations.map(pick));
  const idleTimeout = max((s) => s.idleTimeout);
  const authTimeout = max((s) => s.authTimeout);
  const lists = stations.map((s) => s.allow);
  return {
    maxConnections: min((s) => s.maxConnections),
    maxConnectionsPerAddress: min((s) => s.maxConnectionsPerAddress),
    authTimeout: Math.min(authTimeout, idleTimeout),
    authTimeoutSetting: authTimeout <= idleTimeout ? 'authTimeout' : 'idleTimeout',
    idleTimeout,
    authBackoff: { initialDelay: max((s) => s.authBackoff.initialDelay), maxDelay: max((s) => s.authBackoff.maxDelay) },
    maxReassemblyBytes: min((s) => s.maxReassemblyBytes),
    logLimit: { lines: min((s) => s.logLimit.lines), interval: max((s) => s.logLimit.interval) },
    allow: lists.some((l) => l === undefined) ? undefined : new AllowList(lists.flatMap((l) => l!)),
  };
}
