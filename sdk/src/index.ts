export type { Quality } from './quality.js';
export { QUALITIES, worstQuality } from './quality.js';
export type { Reading, Value, DeviceEvent, EventSeverity } from './reading.js';
export {
  ERROR_CATALOG,
  SensegateError,
  isSensegateError,
  toSensegateError,
  type ErrorCode,
  type ErrorCodeInfo,
  type ErrorContext,
} from './errors.js';
export {
  BYTE_ORDERS,
  DATA_TYPES,
  compileDecoder,
  decodeRegisters,
  encodeRegisters,
  readPackedBit,
  registerCount,
  type ByteOrder,
  type DataType,
  type RegisterDecoder,
  type RegisterValueSpec,
} from './codec.js';
export {
  ID_PATTERN,
  POINT_DIRECTIONS,
  backoffSchema,
  baseDeviceShape,
  basePointSchema,
  basePointShape,
  byteSize,
  duration,
  identifier,
  isReadPoint,
  parseByteSize,
  parseDuration,
  jsonSchemaOf,
  pointAccess,
  type BackoffSettings,
  type BasePoint,
  type PointDirection,
} from './schema.js';
export { registerValueShape } from './register.js';
export { Secret, resolveSecret, secret, type SecretRef, type SecretScope } from './secret.js';
export { Backoff } from './backoff.js';
export { RetryTimer, type RetryTimerOptions } from './retry-timer.js';
export { crc16Hj212, crc16Modbus } from './crc16.js';
export { driverDataDir, gatewayDataDir } from './data-folder.js';
export { instantOfWallClock, isTimeZone, wallClockAt, zoneOffset, type WallClock } from './time-zone.js';
export { abortable, sleep, withTimeout } from './async.js';
export { redactText, redactUrl, urlWithCredentials } from './url.js';
export {
  answerChallenge,
  authorization,
  parseChallenges,
  pickChallenge,
  type AuthScheme,
  type Challenge,
  type ChallengeAnswer,
  type ChallengePolicy,
  type Credentials,
} from './http-auth.js';
export { resolveFfmpeg, type FfmpegLocation, type FfmpegOptions } from './ffmpeg.js';
export { silentLogger, type Logger, type LogFn } from './logger.js';
export { checkMetricNames, discardMetrics, type CounterSeries, type DriverMetrics, type GaugeSeries, type MetricLabels } from './metrics.js';
export * from './listen/index.js';
export {
  defineDriver,
  DRIVER_CONTRACT,
  isDriver,
  type BrowseNode,
  type DeviceRef,
  type DeviceState,
  type DeviceInfo,
  type DiscoveredDevice,
  type Driver,
  type DriverCommand,
  type DriverContext,
  type DriverDefinition,
  type DriverInstance,
  type MediaSource,
  type PointRef,
  type PublishOptions,
  type ReadBatch,
  type ReadPlan,
} from './driver.js';
export {
  defineSink,
  isRefused,
  isSink,
  refused,
  SINK_CONTRACT,
  type BirthInfo,
  type CommandHandler,
  type EntryKind,
  type OutboundMessage,
  type Sink,
  type SinkContext,
  type SinkDefinition,
  type SinkDevice,
  type SinkEvents,
  type SinkInstance,
} from './sink.js';
export {
  flagOf,
  type BrowseResult,
  type CliIO,
  type CliTable,
  type DiscoveryResult,
  type DriverBrowse,
  type DriverDiscover,
  type DriverTool,
  type SimulatorModule,
} from './driver-cli.js';
export { defineStep, isStep, type ClockStep, type Step, type StepContext, type StepDefinition, type StepPoint, type StepResult } from './step.js';
export {
  formatLocation,
  formatPath,
  parseYamlSource,
  type YamlPath,
  type YamlPosition,
  type YamlSource,
  type YamlSyntaxError,
} from './yaml-source.js';
export { describeValue, describeZodError, describeZodIssue, type ZodProblem } from './zod-issues.js';
