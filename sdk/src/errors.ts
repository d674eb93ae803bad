/**
 * Errors with stable codes. A code never changes meaning once released: operators write alert
 * rules against them and consumers see them in `Reading.status`. Every code is listed, with what
 * to do about it, in `docs/errors.md`, which is generated from `ERROR_CATALOG` below.
 */

export interface ErrorCodeInfo {
  /** What went wrong, in one line. */
  summary: string;
  /** Whether trying the same operation again later can succeed. */
  retryable: boolean;
  /** What the operator or the driver author should do next. */
  action: string;
}

export const ERROR_CATALOG = {
  SG_CONFIG_INVALID: {
    summary: 'The configuration file does not match the schema.',
    retryable: false,
    action: 'Fix the fields named in the message (file, line and path are given); `sensegate validate --config FILE` lists every problem at once.',
  },
  SG_CONFIG_NOT_FOUND: {
    summary: 'The configuration file, a profile or a secret file could not be read.',
    retryable: false,
    action: 'Check the path in the message and the permissions of the file.',
  },
  SG_CONFIG_YAML: {
    summary: 'The configuration file is not valid YAML.',
    retryable: false,
    action: 'Fix the syntax at the line and column given; a common cause is a tab used for indentation.',
  },
  SG_SECRET_MISSING: {
    summary: 'A secret referenced by the configuration (an environment variable or a file) is not available.',
    retryable: false,
    action: 'Set the environment variable or create the file named in the message; the secret value itself is never logged.',
  },
  SG_DRIVER_NOT_FOUND: {
    summary: 'The driver named by a device is neither built in nor an installed npm package.',
    retryable: false,
    action: 'Install the driver package next to the gateway (`npm install <package>`) or correct the `driver` field.',
  },
  SG_DRIVER_INVALID: {
    summary: 'A driver package does not default-export a definition made with `defineDriver`.',
    retryable: false,
    action: 'Driver authors: `export default defineDriver({...})` and run the conformance kit from `@sensegate/sdk/testing`.',
  },
  SG_SINK_NOT_FOUND: {
    summary: 'The `type` of a sink is neither a built-in sink nor an installed npm package.',
    retryable: false,
    action: 'Use a built-in sink type (mqtt, hj212), or install the sink package next to the configuration file (`npm install <package>`) and give its package name as `type`.',
  },
  SG_SINK_INVALID: {
    summary: 'A sink package does not default-export a definition made with `defineSink`, or was built for another sink contract.',
    retryable: false,
    action: 'Sink authors: `export default defineSink({...})` from @sensegate/sdk (see docs/writing-a-sink.md); operators: install a version of the sink built for this gateway\'s sink contract.',
  },
  SG_STEP_NOT_FOUND: {
    summary: 'A pipeline step in the configuration is neither built in nor an installed npm package.',
    retryable: false,
    action: 'Use a built-in step (deadband, throttle, range, spike, window, alarm), or install the step package next to the gateway (`npm install <package>`).',
  },
  SG_STEP_INVALID: {
    summary: 'A pipeline step package does not default-export a definition made with `defineStep`.',
    retryable: false,
    action: 'Step authors: `export default defineStep({...})` from @sensegate/sdk and test it with `checkStep` from `@sensegate/sdk/testing`.',
  },
  SG_CONNECT_TIMEOUT: {
    summary: 'The device did not accept a connection in time.',
    retryable: true,
    action: 'Check that the device is powered and reachable (address, port, firewall); the gateway keeps retrying with backoff.',
  },
  SG_CONNECT_REFUSED: {
    summary: 'The device or serial port refused the connection.',
    retryable: true,
    action: 'Check the port number and that no other client holds the device\'s only connection slot; the gateway keeps retrying with backoff.',
  },
  SG_CONNECTION_LOST: {
    summary: 'An open connection to a device closed or failed.',
    retryable: true,
    action: 'Usually the device restarted or the network dropped; the gateway reconnects with backoff. Repeated losses point at cabling or a device limit on connections.',
  },
  SG_NOT_CONNECTED: {
    summary: 'A request was not sent because the connection is down and waiting for its next reconnect attempt.',
    retryable: true,
    action: 'Nothing to do if the device comes back; see the device\'s health for the cause of the outage.',
  },
  SG_REQUEST_TIMEOUT: {
    summary: 'The device did not answer a request in time.',
    retryable: true,
    action: 'Check the unit id and wiring of that device; raise `timeout` only if the device is known to be slow.',
  },
  SG_MODBUS_EXCEPTION: {
    summary: 'The Modbus device answered with an exception response.',
    retryable: false,
    action: 'Codes 1-3 (illegal function, address, value) mean the point definition does not match the device\'s register map; 4-6 are device faults or busy states.',
  },
  SG_PROTOCOL_ERROR: {
    summary: 'A device sent a frame that does not follow the protocol (bad length, checksum or structure).',
    retryable: true,
    action: 'Look at the frame excerpt in the log; a noisy serial line or two masters on one bus are common causes.',
  },
  SG_STATION_REFUSED: {
    summary: 'A station that connects to the gateway was refused: unknown station id (MN or address), wrong password, not on the allow-list, over the connection limit of the server or of its address, or its address is refused for a while after a wrong password (authBackoff).',
    retryable: false,
    action: 'Add the station to the configuration with its id and password, or fix the password on the station\'s data logger; the log names the remote address and the id it sent.',
  },
  SG_COMMAND_FAILED: {
    summary: 'A device refused or failed a command (it answered with a negative request or execution result).',
    retryable: false,
    action: 'The message carries the device\'s own return code; check that the device supports the command and that its parameters are in range.',
  },
  SG_COMMAND_REJECTED: {
    summary: 'A command from the platform was refused before it reached the device: not on the `commands.allow` list, an unknown device, command or point, a point that is not writable, or arguments that do not fit.',
    retryable: false,
    action: 'The acknowledgement names the field at fault; add the command to `commands.allow` in the gateway configuration if the platform should be able to send it.',
  },
  SG_DECODE_ERROR: {
    summary: 'A value could not be decoded with the point\'s data type.',
    retryable: false,
    action: 'Check the point\'s `type`, `byteOrder` and register count against the device manual.',
  },
  SG_WRITE_REJECTED: {
    summary: 'A write was refused before it reached the device (read-only point, wrong value type, out of range).',
    retryable: false,
    action: 'Mark the point `writable: true` in the configuration, or send a value of the point\'s type.',
  },
  SG_FFMPEG_MISSING: {
    summary: 'A feature that needs ffmpeg (snapshots, test streams) found no ffmpeg executable.',
    retryable: false,
    action: 'Install ffmpeg (Debian: apt-get install ffmpeg), or set `ffmpeg:` in the configuration or FFMPEG_PATH to its path.',
  },
  SG_AUTH_FAILED: {
    summary: 'A device refused the gateway\'s credentials (a camera\'s ONVIF or RTSP login).',
    retryable: false,
    action: 'Check the user name and password in the device\'s `connection` block against the device; the gateway keeps retrying with backoff in case the account is being set up.',
  },
  SG_INSECURE_AUTH: {
    summary: 'The gateway did not send a device\'s password because it would have left readable or to the wrong place: HTTP Basic over plain HTTP.',
    retryable: false,
    action: 'Turn on Digest authentication (or HTTPS) on the device; only on a network you trust, allow Basic with `allowBasicOverHttp: true` in the device\'s `connection` block.',
  },
  SG_REPLY_TOO_LARGE: {
    summary: 'A device\'s answer went beyond the gateway\'s bounds (bytes, XML elements, nesting depth or text length) and was dropped unread.',
    retryable: true,
    action: 'A device that really sends answers this large needs a larger `maxReply` in its `connection` block; otherwise it is misbehaving or hostile: check what answers at that address.',
  },
  SG_STREAM_UNAVAILABLE: {
    summary: 'A camera\'s video stream could not be reached, or the camera announced none (camera offline, stream down, no media profile).',
    retryable: true,
    action: 'Check that the camera answers on its RTSP port; the relay and snapshots come back on their own when it does.',
  },
  SG_SNAPSHOT_FAILED: {
    summary: 'A snapshot could not be taken: the camera or its stream did not deliver a picture in time, or what came back was not a JPEG.',
    retryable: true,
    action: 'The message names the camera and the source tried (stream or snapshot URL, credentials hidden); check the camera is online and its stream plays.',
  },
  SG_NOT_SUPPORTED: {
    summary: 'The driver does not implement the requested operation.',
    retryable: false,
    action: 'Check the driver\'s README for what it supports.',
  },
  SG_NO_VALUE: {
    summary: 'A driver finished a read without producing a value for a point.',
    retryable: true,
    action: 'Driver authors: every point of a read batch must get a value or an error.',
  },
  SG_DRIVER_FAILURE: {
    summary: 'A driver threw an error that is not a sensegate error.',
    retryable: true,
    action: 'The original message is kept in the log; report it to the driver\'s author.',
  },
  SG_JOURNAL_IO: {
    summary: 'The journal database could not be opened or written.',
    retryable: false,
    action: 'Check free disk space and permissions of the data folder (`--data`).',
  },
  SG_DATA_FOLDER_IN_USE: {
    summary: 'Another gateway process holds the data folder.',
    retryable: false,
    action: 'The message names the process. Stop it first, or give this gateway its own folder with `--data`; two gateways on one folder would number different readings alike.',
  },
  SG_JOURNAL_DISK_FULL: {
    summary: 'The disk holding the journal is full: commits are held back (entries wait in memory) or the journal opened read-only.',
    retryable: true,
    action: 'Free space on the data folder\'s disk; the gateway commits what waited and carries on by itself, without a restart (see docs/durability.md, A full disk).',
  },
  SG_JOURNAL_OVERFLOW: {
    summary: 'The journal reached its byte or age bound and applied its overflow policy.',
    retryable: false,
    action: 'Readings were dropped and counted (`sensegate_journal_dropped_total`). Raise `journal.maxBytes`/`maxAge` or restore the uplink.',
  },
  SG_SINK_CONNECT: {
    summary: 'A sink could not connect to its platform endpoint.',
    retryable: true,
    action: 'Readings stay in the journal and are replayed in order once the endpoint answers; check address, credentials and TLS settings.',
  },
  SG_SINK_REJECTED: {
    summary: 'The platform endpoint refused a message or the credentials.',
    retryable: false,
    action: 'Check the sink\'s credentials, client id and topic permissions on the broker.',
  },
  SG_MESSAGE_REFUSED: {
    summary: 'A sink\'s endpoint refused one message for good (larger than it takes, or not acceptable to it), or closed the connection each time that message alone was sent.',
    retryable: false,
    action: 'The gateway split the message and moved each entry the endpoint still refused to the journal\'s dead letters, so delivery goes on; list them with `sensegate dead-letters --data DIR`. Set the sink\'s `maxMessageBytes` (and `journal.maxEntryBytes`) within the endpoint\'s limit, e.g. Mosquitto\'s `max_packet_size`.',
  },
  SG_ENTRY_TOO_LARGE: {
    summary: 'A reading or event was larger than `journal.maxEntryBytes` and was journaled in a smaller form.',
    retryable: false,
    action: 'A reading with this status lost its value; an event kept an excerpt of its details with the size and sha256 of the whole. Raise `journal.maxEntryBytes` (and the sinks\' `maxMessageBytes` with it) if such values are expected.',
  },
  SG_CLEAR_CREDENTIALS: {
    summary: 'A password is sent over a connection that is not encrypted (plain MQTT, OPC UA with security mode None).',
    retryable: false,
    action: 'Anyone on the network path can read it: use TLS (mqtts://, wss://) or OPC UA Sign/SignAndEncrypt, or a client certificate instead of a password. Loopback connections are not warned about.',
  },
  SG_API_BAD_REQUEST: {
    summary: 'An HTTP API request did not validate: a path parameter, the query or the body (or the body is not JSON).',
    retryable: false,
    action: 'The answer\'s `problems` name each field; GET /api/openapi.json describes every route (docs/api.md).',
  },
  SG_API_NOT_FOUND: {
    summary: 'No such HTTP API route, device or point.',
    retryable: false,
    action: 'Check the path and the ids; GET /api/openapi.json lists the routes and GET /api/v1/devices the devices.',
  },
  SG_API_TOO_LARGE: {
    summary: 'An HTTP API request body is larger than the API takes (4 MB).',
    retryable: false,
    action: 'Send less; a configuration candidate of thousands of devices is well below the limit.',
  },
  SG_API_BUSY: {
    summary: 'The HTTP API has as many live-stream clients as `api.maxStreams` allows.',
    retryable: true,
    action: 'Try again later, close streams that are not watched, or raise api.maxStreams.',
  },
  SG_API_UNAVAILABLE: {
    summary: 'The gateway is starting or stopping and does not take this request yet.',
    retryable: true,
    action: 'Try again in a few seconds; GET /readyz says when the gateway is ready.',
  },
  SG_API_FAILED: {
    summary: 'The gateway failed while answering an HTTP API request.',
    retryable: true,
    action: 'The gateway\'s log has the error with the route; the gateway itself runs on. Report it with that log line.',
  },
  SG_API_UNAUTHORIZED: {
    summary: 'An HTTP API or console request carried no credentials, or ones the gateway does not know: no session or API token, a wrong user name or password, an ended or expired session, a revoked token.',
    retryable: false,
    action: 'Log in again (`POST /api/v1/login`) or send `Authorization: Bearer <token>` with a token from `sensegate users token NAME`; from the gateway itself (loopback) no login is needed unless `api.auth` is `required`.',
  },
  SG_API_FORBIDDEN: {
    summary: 'An HTTP API request came from a user whose role does not allow it (viewer < operator < admin).',
    retryable: false,
    action: 'Use an account with the role the message names, or give the user that role on the gateway (`sensegate users role NAME ROLE`).',
  },
  SG_API_CSRF: {
    summary: 'A state-changing request from a console session did not carry the session\'s CSRF token in the `x-csrf-token` header, or carried another.',
    retryable: false,
    action: 'Pages send the `csrf` value the login answered (and `GET /api/v1/me` repeats) in `x-csrf-token` with every request other than GET and HEAD; API clients should use a bearer token, which needs none.',
  },
  SG_API_LOGIN_THROTTLED: {
    summary: 'A login or API token was refused unread: its address sent wrong passwords or tokens just before (the refusal grows with each further failure), or more logins arrived at once than the gateway checks at a time.',
    retryable: true,
    action: 'Wait for the time given in `Retry-After`, then log in with the right password; the log names the address and the user names tried (never the passwords).',
  },
  SG_USERS_FILE_INVALID: {
    summary: 'The gateway\'s users file (`users.json` in the data folder) cannot be read or is not what the gateway wrote.',
    retryable: false,
    action: 'Restore the file from a backup, or move it aside and add the users again with `sensegate users add NAME --role ROLE`; the message names the file and what is wrong in it.',
  },
  SG_USAGE: {
    summary: 'A command-line call is missing an argument or has an unknown option.',
    retryable: false,
    action: 'Run `sensegate help` for the commands and their options.',
  },
} as const satisfies Record<string, ErrorCodeInfo>;

export type ErrorCode = keyof typeof ERROR_CATALOG;

/** Where an error came from; every field that is known should be filled in. */
export interface ErrorContext {
  driver?: string;
  device?: string;
  point?: string;
  /** Configuration file, profile or frame source the error points at. */
  source?: string;
  /** Protocol status to carry into `Reading.status`, e.g. `modbus:exception:2`. */
  status?: string;
  cause?: unknown;
  /** Overrides the catalog's default. */
  retryable?: boolean;
}

/**
 * Marks a SensegateError from any copy of the SDK. A vendor's driver package usually installs its
 * own copy, whose class is not the gateway's: errors are recognized by this brand (as drivers are),
 * so their codes, retryability and statuses survive into the feed and the command acknowledgements.
 */
const ERROR_BRAND = Symbol.for('sensegate.error');

export class SensegateError extends Error {
  /**
   * `err instanceof SensegateError` holds for errors made by any copy of the SDK. Subclasses keep
   * the ordinary prototype check.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this !== SensegateError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[ERROR_BRAND] === true;
  }

  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly driver?: string;
  readonly device?: string;
  readonly point?: string;
  readonly source?: string;
  readonly status?: string;

  constructor(code: ErrorCode, message: string, context: ErrorContext = {}) {
    super(message, context.cause === undefined ? undefined : { cause: context.cause });
    this.name = 'SensegateError';
    Object.defineProperty(this, ERROR_BRAND, { value: true });
    this.code = code;
    this.retryable = context.retryable ?? ERROR_CATALOG[code].retryable;
    if (context.driver !== undefined) this.driver = context.driver;
    if (context.device !== undefined) this.device = context.device;
    if (context.point !== undefined) this.point = context.point;
    if (context.source !== undefined) this.source = context.source;
    if (context.status !== undefined) this.status = context.status;
  }

  /** What to do about it, from the catalog. */
  get action(): string {
    return ERROR_CATALOG[this.code].action;
  }

  /** A copy with more context filled in (fields already set are kept). */
  withContext(context: ErrorContext): SensegateError {
    const copy = new SensegateError(this.code, this.message, {
      driver: this.driver ?? context.driver,
      device: this.device ?? context.device,
      point: this.point ?? context.point,
      source: this.source ?? context.source,
      status: this.status ?? context.status,
      cause: this.cause ?? context.cause,
      retryable: this.retryable,
    });
    copy.stack = this.stack;
    return copy;
  }

  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = { code: this.code, message: this.message, retryable: this.retryable };
    for (const key of ['driver', 'device', 'point', 'source', 'status'] as const) {
      if (this[key] !== undefined) out[key] = this[key];
    }
    return out;
  }
}

/** Whether `err` is a SensegateError, from this copy of the SDK or another one. */
export function isSensegateError(err: unknown): err is SensegateError {
  return err instanceof SensegateError;
}

/** Wraps anything thrown into a SensegateError, keeping the original as `cause`. */
export function toSensegateError(err: unknown, context: ErrorContext = {}): SensegateError {
  if (err instanceof SensegateError) return err.withContext(context);
  const message = err instanceof Error ? err.message : String(err);
  return new SensegateError('SG_DRIVER_FAILURE', message, { ...context, cause: err });
}
