/**
 * The packet's `Flag` byte: bit 0 A (the sender wants an acknowledgement), bit 1 D (a split
 * packet, with PNUM and PNO), bits 2-7 the protocol version: 1 for HJ 212-2017, 0 for
 * HJ/T 212-2005 (which had only the A and D bits). So `Flag=4` is a 2017 packet without and
 * `Flag=5` one with an acknowledgement requested.
 */
export const FLAG_ACK = 1;
export const FLAG_SPLIT = 2;
export const VERSION_SHIFT = 2;
export const VERSION_2005 = 0;
export const VERSION_2017 = 1;

export type Dialect = '2017' | '2005';

export function needsAck(flag: number | undefined): boolean {
  return flag !== undefined && (flag & FLAG_ACK) !== 0;
}

export function isSplit(flag: number | undefined): boolean {
  return flag !== undefined && (flag & FLAG_SPLIT) !== 0;
}

export function flagVersion(flag: number | undefined): number {
  return flag === undefined ? VERSION_2005 : flag >>> VERSION_SHIFT;
}

/** The Flag value for a packet of this dialect. */
export function makeFlag(options: { dialect?: Dialect; ack?: boolean; split?: boolean } = {}): number {
  const version = options.dialect === '2005' ? VERSION_2005 : VERSION_2017;
  return (version << VERSION_SHIFT) | (options.ack ? FLAG_ACK : 0) | (options.split ? FLAG_SPLIT : 0);
}
