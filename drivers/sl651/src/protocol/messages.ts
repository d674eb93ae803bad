/** Whole frames of the exchanges between a station and the centre, built on `encodeFrame`. */
import { encodeHead, encodeReportBody, type ReportToEncode } from './body.js';
import { END } from './control.js';
import { encodeFrame, encodePackets, type Frame } from './frame.js';
import { FUNCTION } from './function-codes.js';
import type { StationTime } from './station-time.js';

export interface StationIdentity {
  station: string;
  password: string;
  centre: number;
}

/** A station's keep-alive (2F): serial number and send time, ETX. */
export function encodeKeepAlive(id: StationIdentity, serial: number, sendTime: StationTime): Buffer {
  return encodeFrame({ ...id, direction: 'up', functionCode: FUNCTION.keepAlive, body: encodeHead(serial, sendTime), end: END.ETX });
}

/**
 * A station's report (30-34) as one frame, or as SYN packets of at most `packetBody` body bytes
 * when `packetBody` is given (ETB on all but the last, ETX on the last).
 */
export function encodeReport(id: StationIdentity, functionCode: number, report: Omit<ReportToEncode, 'station'>, packetBody?: number): Buffer[] {
  const body = encodeReportBody({ ...report, station: id.station });
  const frame = { ...id, direction: 'up' as const, functionCode, body };
  return packetBody === undefined ? [encodeFrame({ ...frame, end: END.ETX })] : encodePackets(frame, packetBody);
}

/**
 * The centre's confirmation of an uplink frame: same station, centre, password and function code,
 * downlink, the report's serial number and send time as received (`head`), and `end`: ESC (stay
 * online), EOT (hang up) or, for a packet of a multi-packet report, ACK.
 */
export function encodeConfirmation(up: Pick<Frame, 'station' | 'centre' | 'password' | 'functionCode'>, head: Uint8Array, end: number): Buffer {
  return encodeFrame({
    direction: 'down',
    station: up.station,
    centre: up.centre,
    password: up.password,
    functionCode: up.functionCode,
    body: head,
    end,
  });
}
