/**
 * Credentials in URLs: devices hand out stream and snapshot URLs without them, and the gateway adds
 * them only at the moment it connects. Anything that logs or shows a URL uses `redactUrl`.
 */

/** The URL with this account in its user-info part, replacing any there. */
export function urlWithCredentials(url: string, auth: { user: string; password: string } | undefined): string {
  if (!auth) return url;
  const parsed = new URL(url);
  parsed.username = encodeURIComponent(auth.user);
  parsed.password = encodeURIComponent(auth.password);
  return parsed.toString();
}

/** The URL with any password (and token-like query values) replaced by `***`; safe for logs. */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // Not a URL we can parse: hide anything that looks like user-info rather than print it.
    return url.replace(/\/\/[^/@\s]*@/, '//***@');
  }
  if (parsed.password) parsed.password = '***';
  for (const key of [...parsed.searchParams.keys()]) {
    if (/^(token|sign|signature|password|passwd|pwd|key|secret|auth)$/i.test(key)) parsed.searchParams.set(key, '***');
  }
  return parsed.toString();
}

const URL_IN_TEXT = /[a-z][a-z0-9+.-]*:\/\/[^\s'"<>]+/gi;

/**
 * Free text (a library's log line, a tool's error output) made safe to log: every URL in it goes
 * through `redactUrl`, any `//user:password@` left is cut to `//user:***@`, and each of `secrets`,
 * as given and URL-decoded, becomes `***` wherever it still stands.
 */
export function redactText(text: string, secrets: readonly string[] = []): string {
  let out = text.replace(URL_IN_TEXT, (url) => redactUrl(url)).replace(/(\/\/[^/@\s:]*):[^/@\s]*@/g, '$1:***@');
  for (const secret of secrets) {
    for (const form of new Set([secret, safeDecode(secret)])) if (form) out = out.split(form).join('***');
  }
  return out;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
