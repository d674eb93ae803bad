/**
 * The packets a station sent last, to recognise a retransmission (the station missed our 9014):
 * the same CN, QN, PNO and CP. A logger that reuses QNs for new data loses nothing, since the
 * content differs.
 *
 * Nothing of a packet is kept: its strings are slices of the received segment and would hold all
 * of it for as long as it is remembered (64 packets of 1,000 stations sending fast is tens of MB,
 * all of it promoted garbage). Each packet is reduced to numbers: CN and PNO, the QN's digits
 * (exact), the CP's length and a 53-bit digest of it. Two different CPs under the same CN, QN and
 * PNO with the same length and digest would be taken for a retransmission: odds about 1 in 10^15
 * per reused QN. Looking up is a scan of 64 numbers, with no QN index: a map's rehashing as
 * entries come and go was, measured, most of the driver's promoted garbage under load.
 */
import type { Packet } from '../protocol/packet.js';
import { digest53 } from './digest.js';

/** A QN is 14 to 20 digits (parseSegment checks): its last 9 and the rest are each exact numbers. */
const LOW_DIGITS = 9;

function qnHigh(qn: string): number {
  let n = 0;
  for (let i = 0; i < qn.length - LOW_DIGITS; i++) n = n * 10 + qn.charCodeAt(i) - 0x30;
  return n;
}

function qnLow(qn: string): number {
  let n = 0;
  for (let i = Math.max(0, qn.length - LOW_DIGITS); i < qn.length; i++) n = n * 10 + qn.charCodeAt(i) - 0x30;
  return n;
}

export class RecentPackets {
  private next = 0;
  private held = 0;
  private readonly cn: Uint16Array;
  private readonly pno: Uint16Array;
  private readonly qnLength: Uint8Array;
  private readonly qnLow: Uint32Array;
  private readonly qnHigh: Float64Array;
  private readonly cpLength: Uint32Array;
  private readonly cpDigest: Float64Array;

  constructor(readonly size: number) {
    this.cn = new Uint16Array(size);
    this.pno = new Uint16Array(size);
    this.qnLength = new Uint8Array(size);
    this.qnLow = new Uint32Array(size);
    this.qnHigh = new Float64Array(size);
    this.cpLength = new Uint32Array(size);
    this.cpDigest = new Float64Array(size);
  }

  /** Whether this packet was remembered before; a packet without QN never was. */
  has(packet: Packet): boolean {
    if (packet.qn === undefined) return false;
    const { qn, cp } = packet;
    const low = qnLow(qn);
    let digest: number | undefined;
    for (let i = 0; i < this.held; i++) {
      if (this.qnLow[i] !== low) continue; // the usual answer: a new QN
      const same =
        this.qnHigh[i] === qnHigh(qn) &&
        this.qnLength[i] === qn.length &&
        this.cn[i] === Number(packet.cn) &&
        this.pno[i] === (packet.pno ?? 0) &&
        this.cpLength[i] === cp.length;
      if (!same) continue;
      digest ??= digest53(cp);
      if (this.cpDigest[i] === digest) return true;
    }
    return false;
  }

  /** Remembers a packet with a QN, forgetting the oldest beyond `size`. */
  remember(packet: Packet): void {
    if (packet.qn === undefined) return;
    const i = this.next;
    if (this.held < this.size) this.held++;
    this.cn[i] = Number(packet.cn); // four digits (parseSegment checks)
    this.pno[i] = packet.pno ?? 0; // 0..9999
    this.qnLength[i] = packet.qn.length;
    this.qnLow[i] = qnLow(packet.qn);
    this.qnHigh[i] = qnHigh(packet.qn);
    this.cpLength[i] = packet.cp.length;
    this.cpDigest[i] = digest53(packet.cp);
    this.next = (i + 1) % this.size;
  }
}
