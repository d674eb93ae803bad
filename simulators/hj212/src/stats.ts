/** What a station (or a group of stations) has done, for tests, the CLI's status line and benchmarks. */
export interface StationStats {
  /** Stations connected now (0 or 1 for one station). */
  connected: number;
  /** Connections established, the first included (and those of a reconnect storm). */
  connects: number;
  /** Connections established after the first. */
  reconnects: number;
  /** Established connections that were lost. */
  disconnects: number;
  /** Frames handed to the socket: data, replies and resends. */
  framesSent: number;
  realtimeSent: number;
  minuteSent: number;
  hourSent: number;
  daySent: number;
  /** Data frames sent again because no 9014 came in time. */
  resent: number;
  acksReceived: number;
  awaitingAck: number;
  /** Data frames given up on after every retry went unacknowledged. */
  ackAbandoned: number;
  /** Platform commands answered (with any QnRtn). */
  commandsAnswered: number;
  /** Of those, refused (QnRtn other than 1). */
  commandsRefused: number;
  /** Of those, failed (ExeRtn other than 1). */
  commandsFailed: number;
  /** Frames not sent: offline, silenced, or cut off by a dropped connection. */
  framesDropped: number;
  /** Frames from the platform that did not decode (bad CRC, junk) or parse. */
  badFramesIn: number;
  bytesOut: number;
  /** Socket writes (more than frames when split or sent a byte at a time). */
  writes: number;
}

export const STAT_KEYS = [
  'connected',
  'connects',
  'reconnects',
  'disconnects',
  'framesSent',
  'realtimeSent',
  'minuteSent',
  'hourSent',
  'daySent',
  'resent',
  'acksReceived',
  'awaitingAck',
  'ackAbandoned',
  'commandsAnswered',
  'commandsRefused',
  'commandsFailed',
  'framesDropped',
  'badFramesIn',
  'bytesOut',
  'writes',
] as const satisfies readonly (keyof StationStats)[];

export function emptyStats(): StationStats {
  return Object.fromEntries(STAT_KEYS.map((k) => [k, 0])) as unknown as StationStats;
}

/** Sums the stats of several stations. */
export function addStats(total: StationStats, one: StationStats): StationStats {
  for (const k of STAT_KEYS) total[k] += one[k];
  return total;
}
