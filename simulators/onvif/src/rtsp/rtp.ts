/**
 * Just enough of RTP (RFC 3550) and of H.264 over RTP (RFC 6184) to relay a stream well: where
 * an access unit ends (marker bit) and whether a packet opens a keyframe (an SPS or the start of
 * an IDR slice, alone, in a STAP-A or as the first fragment of an FU-A). New players and players
 * that fell behind start at a keyframe, so their first picture decodes.
 */

export function isRtp(packet: Buffer): boolean {
  return packet.length >= 12 && packet[0]! >> 6 === 2;
}

export function rtpMarker(packet: Buffer): boolean {
  return (packet[1]! & 0x80) !== 0;
}

export function rtpSequence(packet: Buffer): number {
  return packet.readUInt16BE(2);
}

export function rtpTimestamp(packet: Buffer): number {
  return packet.readUInt32BE(4);
}

/** The payload after the fixed header, CSRCs and extension, without padding; undefined if malformed. */
export function rtpPayload(packet: Buffer): Buffer | undefined {
  if (!isRtp(packet)) return undefined;
  let offset = 12 + 4 * (packet[0]! & 0x0f);
  if (packet[0]! & 0x10) {
    if (packet.length < offset + 4) return undefined;
    offset += 4 + 4 * packet.readUInt16BE(offset + 2);
  }
  let end = packet.length;
  if (packet[0]! & 0x20) end -= packet[packet.length - 1]!;
  return offset < end ? packet.subarray(offset, end) : undefined;
}

const NAL_IDR = 5;
const NAL_SPS = 7;
const STAP_A = 24;
const FU_A = 28;

/** Whether this H.264 RTP packet starts a keyframe (carries an SPS or the first bytes of an IDR slice). */
export function startsH264Keyframe(packet: Buffer): boolean {
  const payload = rtpPayload(packet);
  if (!payload || payload.length < 2) return false;
  const type = payload[0]! & 0x1f;
  if (type === NAL_IDR || type === NAL_SPS) return true;
  if (type === FU_A) {
    const fuHeader = payload[1]!;
    return (fuHeader & 0x80) !== 0 && ((fuHeader & 0x1f) === NAL_IDR || (fuHeader & 0x1f) === NAL_SPS);
  }
  if (type === STAP_A) {
    for (let at = 1; at + 2 < payload.length; ) {
      const size = payload.readUInt16BE(at);
      const inner = payload[at + 2]! & 0x1f;
      if (inner === NAL_IDR || inner === NAL_SPS) return true;
      at += 2 + size;
    }
  }
  return false;
}
