/** What a listener counts; `Sl651Instance.stats()` sums them. Every refusal and drop is counted. */
export interface Sl651Stats {
  /** Connections open now. */
  connections: number;
  /** Connections accepted since start. */
  connectionsAccepted: number;
  /**
   * Connections closed on arrival: over `maxConnections` or `maxConnectionsPerAddress`, from an
   * address no station allows, or from an address refused after a wrong password (`authBackoff`).
   */
  connectionsRefused: number;
  /** Connections closed because no frame was accepted on them for `idleTimeout`. */
  connectionsIdle: number;
  /** Connections closed because they sent no accepted frame within `authTimeout`. */
  authTimeouts: number;
  /** Frames accepted from known stations with the right password. */
  framesAccepted: number;
  /** Frames refused: unknown station, address not allowed, wrong password, wrong centre, downlink direction. */
  framesRefused: number;
  /** Bytes that were no valid frame (bad CRC, length, structure, garbage), one count per run. */
  framesMalformed: number;
  /** Reports received again with the same serial number and send time (confirmed again, not published twice). */
  duplicates: number;
  /** Multi-packet messages dropped (too large, inconsistent counters, no memory left, never completed). */
  messagesDropped: number;
  /** Bytes held now for multi-packet messages still arriving (within `maxReassemblyBytes`). */
  reassemblyBytes: number;
  /** Values published. */
  valuesPublished: number;
  /** Confirmations (ESC/EOT) and packet acknowledgements (ACK) sent. */
  repliesSent: number;
}

export function emptyStats(): Sl651Stats {
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
    messagesDropped: 0,
    reassemblyBytes: 0,
    valuesPublished: 0,
    repliesSent: 0,
  };
}
