/**
 * What the driver counts. Every refusal and drop is counted; `Hj212Instance.stats()` sums the
 * listeners and stations, `stats(device)` gives one station's share.
 */
export interface Hj212Stats {
  /** Connections open now. */
  connections: number;
  /** Connections accepted since start. */
  connectionsAccepted: number;
  /**
   * Connections closed on arrival: over `maxConnections` or `maxConnectionsPerAddress`, from an
   * address no station allows, or from an address refused after a wrong password (`authBackoff`).
   */
  connectionsRefused: number;
  /** Connections closed because no packet was accepted on them for `idleTimeout`. */
  connectionsIdle: number;
  /** Connections closed because they sent no accepted packet within `authTimeout`. */
  authTimeouts: number;
  /** Packets accepted from known stations with the right password. */
  framesAccepted: number;
  /** Packets refused: unknown MN, wrong password, address not allowed. */
  framesRefused: number;
  /** Bytes that were no valid packet (bad CRC, length, structure, garbage), one count per run. */
  framesMalformed: number;
  /** Packets received again with the same CN, QN and content (acknowledged again, not published twice). */
  duplicates: number;
  /** Values published to configured points. */
  valuesPublished: number;
  /** Values of codes or fields no point takes. */
  valuesUnmatched: number;
  /** Split messages dropped (never completed, too many packets, inconsistent PNUM, no memory left). */
  splitDropped: number;
  /** Bytes held now for split messages still arriving (within `maxReassemblyBytes`). */
  reassemblyBytes: number;
  /** 9014 acknowledgements sent. */
  acksSent: number;
  /** Packets of kinds the driver does not act on (e.g. 1013, 9013). */
  ignored: number;
}

export function emptyStats(): Hj212Stats {
  return {
    connections: 0,
    connectionsAccepted: 0,
    connectionsRefused: 0,
    connectionsIdle: 0,
    authTimeouts: 0,
    framesAccepted: 0,
    framesRefused: 0,
    framesMalformed: 0,
    duplicates: 0,
    valuesPublished: 0,
    valuesUnmatched: 0,
    splitDropped: 0,
    reassemblyBytes: 0,
    acksSent: 0,
    ignored: 0,
  };
}

export function addStats(into: Hj212Stats, from: Readonly<Hj212Stats>): Hj212Stats {
  for (const key of Object.keys(into) as Array<keyof Hj212Stats>) into[key] += from[key];
  return into;
}
