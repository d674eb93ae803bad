/**
 * What can go wrong in one SOAP exchange, as classes the camera layer maps to sensegate codes
 * (camera/errors.ts). Messages say what the device did; they never carry a credential, and a URL
 * in them is always redacted by whoever builds them.
 */

/**
 * Text a device sent, made fit for a message and a log line: control characters (newlines
 * included, so nothing a camera sends can start a log line of its own) become spaces, runs of
 * space one, and the result is cut to `max` characters.
 */
export function printable(text: string, max = 160): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufffd]+/g, ' ').replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}...` : flat;
}

/** The answer outgrew `maxReply` bytes, or the XML its limits (elements, depth, attributes, text). */
export class ReplyTooLarge extends Error {
  override readonly name = 'ReplyTooLarge';
}

/** No whole answer by the deadline: the socket was destroyed. */
export class ReplyTimeout extends Error {
  override readonly name = 'ReplyTimeout';
  readonly code = 'ESGTIMEOUT';
}

/** The device answered with a redirect; it is never followed. */
export class RedirectRefused extends Error {
  override readonly name = 'RedirectRefused';
}

/** Answering would have sent the password readable: only Basic over plain HTTP was offered. */
export class InsecureAuthRefused extends Error {
  override readonly name = 'InsecureAuthRefused';
}

/** The device refused the credentials, or asked for credentials none of which are configured or answerable. */
export class AuthRejected extends Error {
  override readonly name = 'AuthRejected';
}

/** A non-2xx answer that is not a SOAP fault (an HTML error page, an empty body). */
export class HttpStatusError extends Error {
  override readonly name = 'HttpStatusError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The answer is XML but not a SOAP envelope with a body. */
export class NotSoap extends Error {
  override readonly name = 'NotSoap';
}

/** A SOAP fault: its code and subcodes (prefixes kept, as cameras send them) and its reason. */
export class SoapFault extends Error {
  override readonly name = 'SoapFault';
  constructor(
    readonly codes: readonly string[],
    readonly reason: string,
  ) {
    super(`SOAP fault ${printable(codes.join('/'), 200) || '(no code)'}${reason ? `: ${printable(reason, 200)}` : ''}`);
  }

  /** A subcode or code whose local part is `name` (`ter:NotAuthorized` matches `NotAuthorized`). */
  has(name: string): boolean {
    return this.codes.some((c) => c.slice(c.indexOf(':') + 1).toLowerCase() === name.toLowerCase());
  }
}
