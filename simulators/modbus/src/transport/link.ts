/** A framing on one byte stream (a TCP connection or a serial port): bytes in, answers out. */
export interface Link {
  /** Bytes received from the client, in any chunking. */
  push(chunk: Buffer): void;
}

/** Where a link's answers go. */
export interface LinkOutput {
  send(bytes: Buffer): void;
  /** Sends after `ms` (latency fault), unless the stream has closed by then. */
  later(bytes: Buffer, ms: number): void;
  /** Closes the stream: the peer sent something that cannot be framed. */
  abort(): void;
}
