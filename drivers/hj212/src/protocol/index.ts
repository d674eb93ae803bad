/**
 * @sensegate/driver-hj212/protocol: the HJ 212-2017 (and HJ/T 212-2005) codec shared by the
 * driver and the simulator: CRC, frames and their stream decoder, packets, the CP area, flags,
 * station times, code tables, and the replies a platform and a station exchange.
 */
export { hj212Crc, formatCrc } from './crc.js';
export {
  DEFAULT_MAX_SEGMENT,
  FRAME_HEAD,
  FRAME_TAIL,
  HEADER_LENGTH,
  MAX_LENGTH_FIELD,
  STANDARD_MAX_SEGMENT,
  TRAILER_LENGTH,
  encodeFrame,
} from './frame.js';
export { FrameDecoder, type DecodeResult, type FrameDecoderOptions } from './frame-decoder.js';
export { formatSegment, parseSegment, type Packet } from './packet.js';
export { cpDataTime, cpFields, cpRecords, formatCp, parseCp, pollutantValues, type CpField, type CpGroup, type CpRecord, type PollutantValue } from './cp.js';
export { readCpRecords } from './cp-records.js';
export {
  FLAG_ACK,
  FLAG_SPLIT,
  VERSION_2005,
  VERSION_2017,
  VERSION_SHIFT,
  flagVersion,
  isSplit,
  makeFlag,
  needsAck,
  type Dialect,
} from './flags.js';
export { DEFAULT_TIME_ZONE, formatDataTime, formatQn, parseDataTime } from './data-time.js';
export { POLLUTANTS, pollutant, pollutantByAlias, type PollutantInfo } from './pollutants.js';
export { DATA_FLAGS, DEFAULT_DATA_FLAG, flagQuality, type DataFlagInfo } from './data-flags.js';
export { CN, EXE_RTN, EXE_RTN_SUCCESS, QN_RTN, QN_RTN_READY, ST, type CommandCode } from './codes.js';
export {
  buildDataAck,
  buildExecutionResult,
  buildRequest,
  buildRequestReply,
  readReturnCode,
  type ReturnCode,
} from './replies.js';
export { excerpt } from './excerpt.js';
