/** What an `onvif` client failure means for the gateway: a sensegate error that names the camera. */
import { SensegateError, type ErrorContext } from '@sensegate/sdk';

const AUTH = /not ?authori[sz]ed|sender not authorized|digest authentication failed|unauthori[sz]ed|401/i;

/** True when the camera's answer says that the subscription (or pull point) no longer exists. */
export function isResourceUnknown(err: unknown): boolean {
  return /ResourceUnknown|InvalidSubscription|unknown subscription|no such subscription/i.test(messageOf(err));
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * `doing` names the request (`connect`, `GetProfiles`); the message names the device. Credentials
 * never reach these messages: the `onvif` package does not put them in its errors, and URLs are
 * redacted by the callers.
 */
export function cameraError(err: unknown, doing: string, where: ErrorContext & { device: string }): SensegateError {
  if (err instanceof SensegateError) return err.withContext(where);
  const message = messageOf(err).replace(/^ONVIF SOAP Fault:\s*/, '');
  const code = (err as { code?: string } | undefined)?.code;
  const at = `camera ${where.device}: ${doing}`;
  const context = { ...where, cause: err };
  if (AUTH.test(message)) {
    return new SensegateError('SG_AUTH_FAILED', `${at}: the camera refused the user name or password (${message}); check connection.user and connection.password of device ${where.device}`, {
      ...context,
      status: 'onvif:not-authorized',
    });
  }
  if (code === 'ECONNREFUSED') return new SensegateError('SG_CONNECT_REFUSED', `${at}: connection refused (${message})`, context);
  if (code === 'ETIMEDOUT' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new SensegateError('SG_CONNECT_TIMEOUT', `${at}: the camera cannot be reached (${message})`, context);
  }
  if (code === 'ECONNRESET' || code === 'EPIPE' || /socket hang up/i.test(message)) return new SensegateError('SG_CONNECTION_LOST', `${at}: the connection closed (${message})`, context);
  if (/network timeout|timed out/i.test(message)) return new SensegateError('SG_REQUEST_TIMEOUT', `${at}: no answer in time`, context);
  if (/Wrong ONVIF SOAP response/i.test(message)) return new SensegateError('SG_PROTOCOL_ERROR', `${at}: the answer is not an ONVIF SOAP message`, context);
  return new SensegateError('SG_COMMAND_FAILED', `${at}: ${message}`, { ...context, retryable: true });
}
