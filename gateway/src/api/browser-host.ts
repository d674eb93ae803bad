/**
 * The host name a browser used to reach the API (the request's `Host`, without its port), for URLs
 * the API hands back that point elsewhere on the same machine: the video relay's player URLs, and
 * the console's Content-Security-Policy that lets the page connect there.
 *
 * Invariant: what it returns is a plain DNS name, an IPv4 address or a bracketed IPv6 address, and
 * nothing else, so it can be put into a URL or a header without changing their meaning. Anything
 * else in `Host` gives undefined, and the caller falls back to its default.
 */
import type { FastifyRequest } from 'fastify';

const DNS_NAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}))*\.?$/;
const IPV6 = /^\[[0-9A-Fa-f:.]{2,45}\]$/;

export function browserHost(request: Pick<FastifyRequest, 'hostname'>): string | undefined {
  const host = request.hostname;
  if (typeof host !== 'string') return undefined;
  return DNS_NAME.test(host) || IPV6.test(host) ? host : undefined;
}
