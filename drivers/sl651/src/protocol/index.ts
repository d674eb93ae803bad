/**
 * @sensegate/driver-sl651/protocol: the SL 651-2014 HEX/BCD codec shared by the driver and the
 * simulator: frames and their stream decoder, CRC, BCD values and times, element table, bodies,
 * and the messages a station and a centre exchange.
 */
export { END, FRAME_START, HEADER_LENGTH, MAX_BODY_LENGTH, MAX_PACKETS, SOH, STX, SYN, TRAILER_LENGTH, endName, type EndName } from './control.js';
export { ADDRESS_PATTERN, PASSWORD_PATTERN, encodeFrame, encodePackets, type Direction, type Frame, type PacketCounter } from './frame.js';
export { FrameDecoder, type DecodeResult, type FrameDecoderOptions } from './frame-decoder.js';
export { bcdByte, bcdBytes, bcdDigits } from './bcd.js';
export { epochToStationTime, formatStationTime, readStationTime, stationTimeToEpoch, writeStationTime, type StationTime } from './station-time.js';
export { ELEMENTS, ELEMENT_ID, elementInfo, elementKind, resolveElement, type ElementInfo, type ElementKind } from './elements.js';
export { decodeNumber, definitionByte, encodeNoData, encodeNumber, readDefinition, type NumberValue } from './element-value.js';
export {
  EQUAL_INTERVAL,
  decodeBody,
  encodeElement,
  encodeHead,
  encodeReportBody,
  type ElementReading,
  type ElementToEncode,
  type MessageBody,
  type ReportToEncode,
  type Sample,
} from './body.js';
export { FUNCTION, FUNCTION_NAMES, REPORTS, functionName, isConfirmed, parseFunctionCode, type FunctionName } from './function-codes.js';
export { encodeConfirmation, encodeKeepAlive, encodeReport, type StationIdentity } from './messages.js';
export { excerpt, frameExcerpt, fromHex, toHex } from './hex.js';
