/** What a failed camera request means for the gateway: a sensegate error that names the camera and the request. */
import { SensegateError, type ErrorContext } from '@sensegate/sdk';
import { AuthRejected, HttpStatusError, InsecureAuthRefused, NotSoap, RedirectRefused, ReplyTimeout, ReplyTooLarge, SoapFault } from '../soap/errors.js';
import { XmlSyntaxError } from '../soap/xml-tree.js';

/** True when the camera's answer says that the subscription (or pull point) no longer exists. */
export function isResourceUnknown(err: unknown): boolean {
  if (err instanceof SoapFault) return err.has('ResourceUnknown') || err.has('ResourceUnknownFault') || err.has('InvalidSubscription') || /unknown subscription|no such subscription/i.test(err.reason);
  return false;
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * `doing` names the request (`connect`, `ptz.move`); the message names the device and, from the
 * SOAP client, the ONVIF operation. Credentials never reach these messages: the SOAP client puts
 * none in its errors, and URLs are redacted where they are quoted.
 */
export function cameraError(err: unknown, doing: string, where: ErrorContext & { device: string }): SensegateError {
  if (err instanceof SensegateError) return err.withContext(where);
  const message = messageOf(err);
  const code = (err as { code?: string } | undefined)?.code;
  const at = `camera ${where.device}: ${doing}`;
  const context = { ...where, cause: err };
  const authFailed = () =>
    new SensegateError('SG_AUTH_FAILED', `${at}: the camera refused the user name or password (${message}); check connection.user and connection.password of device ${where.device}`, {
      ...context,
      status: 'onvif:not-authorized',
    });
  if (err instanceof InsecureAuthRefused) {
    return new SensegateError('SG_INSECURE_AUTH', `${at}: ${message}. Enable Digest (or HTTPS) on the camera, or set connection.allowBasicOverHttp: true on device ${where.device} if this network is trusted`, context);
  }
  if (err instanceof AuthRejected || (err instanceof SoapFault && err.has('NotAuthorized'))) return authFailed();
  if (err instanceof HttpStatusError && err.status === 401) return authFailed();
  if (err instanceof ReplyTooLarge) return new SensegateError('SG_REPLY_TOO_LARGE', `${at}: ${message}; the answer was dropped and the connection closed`, context);
  if (err instanceof ReplyTimeout) return new SensegateError('SG_REQUEST_TIMEOUT', `${at}: no answer in time (${message})`, context);
  if (err instanceof RedirectRefused || err instanceof NotSoap || err instanceof XmlSyntaxError) return new SensegateError('SG_PROTOCOL_ERROR', `${at}: ${message}`, context);
  if (err instanceof HttpStatusError) return new SensegateError('SG_COMMAND_FAILED', `${at}: ${message}`, { ...context, status: `http:${err.status}`, retryable: true });
  if (code === 'ECONNREFUSED') return new SensegateError('SG_CONNECT_REFUSED', `${at}: connection refused (${message})`, context);
  if (code === 'ETIMEDOUT' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new SensegateError('SG_CONNECT_TIMEOUT', `${at}: the camera cannot be reached (${message})`, context);
  }
  if (code === 'ECONNRESET' || code === 'EPIPE' || /socket hang up/i.test(message)) return new SensegateError('SG_CONNECTION_LOST', `${at}: the connection closed (${message})`, context);
  return new SensegateError('SG_COMMAND_FAILED', `${at}: ${message}`, { ...context, retryable: true });
}
