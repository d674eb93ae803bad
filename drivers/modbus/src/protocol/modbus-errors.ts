/**
 * Turning what the socket, the serial port and modbus-serial report into sensegate errors with
 * stable codes, and messages that name the endpoint, unit id, function code and addresses.
 */
import { SensegateError } from '@sensegate/sdk';

export const EXCEPTION_NAMES: Readonly<Record<number, string>> = {
  1: 'illegal function',
  2: 'illegal data address',
  3: 'illegal data value',
  4: 'server device failure',
  5: 'acknowledge',
  6: 'server device busy',
  7: 'negative acknowledge',
  8: 'memory parity error',
  10: 'gateway path unavailable',
  11: 'gateway target device failed to respond',
};

/** Exceptions that say "not now" rather than "never": busy, acknowledge, a gateway's unreachable target. */
const RETRYABLE_EXCEPTIONS = new Set([5, 6, 10, 11]);

export function exceptionError(code: number, label: string, device: string): SensegateError {
  return new SensegateError('SG_MODBUS_EXCEPTION', `${label}: the device answered exception ${code} (${EXCEPTION_NAMES[code] ?? 'unknown exception'})`, {
    device,
    status: `modbus:exception:${code}`,
    retryable: RETRYABLE_EXCEPTIONS.has(code),
  });
}

export function timeoutError(label: string, timeout: number, device: string): SensegateError {
  return new SensegateError('SG_REQUEST_TIMEOUT', `${label}: no answer within ${timeout} ms`, { device });
}

interface ErrnoLike {
  code?: string;
  errno?: string | number;
  message?: string;
  modbusCode?: number;
}

const REFUSED = new Set(['ECONNREFUSED', 'ENOENT', 'EACCES', 'EBUSY', 'EPERM']);
const UNREACHABLE = new Set(['ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENOTFOUND', 'EAI_AGAIN']);

/** Why a connection attempt failed. */
export function connectError(err: unknown, endpoint: string, timeout: number): SensegateError {
  const e = (err ?? {}) as ErrnoLike;
  const code = e.code ?? (typeof e.errno === 'string' ? e.errno : undefined);
  const reason = e.message ?? String(err);
  if (code !== undefined && REFUSED.has(code)) {
    return new SensegateError('SG_CONNECT_REFUSED', `cannot connect to ${endpoint}: ${reason}`, { cause: err });
  }
  if (code === 'SG_CONNECT_TIMEOUT') {
    return new SensegateError('SG_CONNECT_TIMEOUT', `cannot connect to ${endpoint}: no connection within ${timeout} ms`, { cause: err });
  }
  if (code !== undefined && UNREACHABLE.has(code)) {
    return new SensegateError('SG_CONNECT_TIMEOUT', `cannot connect to ${endpoint}: ${reason}`, { cause: err });
  }
  return new SensegateError('SG_CONNECT_REFUSED', `cannot connect to ${endpoint}: ${reason}`, { cause: err });
}

export function lostError(endpoint: string, reason: string, cause?: unknown): SensegateError {
  return new SensegateError('SG_CONNECTION_LOST', `connection to ${endpoint} lost: ${reason}`, cause === undefined ? {} : { cause });
}

/** An error modbus-serial passed to a request's callback (not a timeout: those are ours). */
export function requestError(err: unknown, label: string, device: string): SensegateError {
  const e = (err ?? {}) as ErrnoLike;
  if (typeof e.modbusCode === 'number') return exceptionError(e.modbusCode, label, device);
  const message = e.message ?? String(err);
  if (message === 'Port Not Open') {
    return new SensegateError('SG_NOT_CONNECTED', `${label}: the connection is not open`, { device, cause: err });
  }
  // CRC, length and "unexpected data" errors: the answer did not match the request.
  return new SensegateError('SG_PROTOCOL_ERROR', `${label}: ${message}`, { device, cause: err });
}
