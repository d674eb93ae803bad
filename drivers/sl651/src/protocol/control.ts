/** The control characters of the HEX/BCD frame (SL 651-2014, frame structure). */

/** Every frame starts with this byte twice. */
export const FRAME_START = 0x7e;
/** Body of a single-packet message follows. */
export const STX = 0x02;
/** Body of one packet of a multi-packet message follows, after a 3-byte packet counter. */
export const SYN = 0x16;
/** First byte of an ASCII-mode frame, which this codec does not speak. */
export const SOH = 0x01;

/** End bytes: what the sender expects next. */
export const END = {
  /** Up: message complete, nothing follows. */
  ETX: 0x03,
  /** Up: a packet of a multi-packet message, more follow. */
  ETB: 0x17,
  /** Down: a query or command that asks for an answer. */
  ENQ: 0x05,
  /** Down: confirmed; end of transmission, the station may hang up. */
  EOT: 0x04,
  /** Down: packet received, send the next one. */
  ACK: 0x06,
  /** Down: not received, send again. */
  NAK: 0x15,
  /** Down: confirmed; end of transmission, the station stays online. */
  ESC: 0x1b,
} as const;

export type EndName = keyof typeof END;

const END_NAMES = new Map<number, EndName>(Object.entries(END).map(([name, byte]) => [byte, name as EndName]));

export function endName(byte: number): EndName | undefined {
  return END_NAMES.get(byte);
}

/** Fixed bytes before the body: 7E7E, two addresses, password, function code, direction+length, STX/SYN. */
export const HEADER_LENGTH = 14;
/** End byte and CRC after the body. */
export const TRAILER_LENGTH = 3;
/** The length field has 12 bits. */
export const MAX_BODY_LENGTH = 0xfff;
/** Packet counters have 12 bits each. */
export const MAX_PACKETS = 0xfff;
