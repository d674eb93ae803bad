/**
 * Who a peer is, for the limits of a listener. An IPv4 peer seen through a dual-stack socket
 * (`::ffff:10.1.2.3`) is the IPv4 address. An IPv6 peer is counted by its /64 prefix: one site or
 * one host owns a whole /64 and can pick a fresh address in it for every connection, so counting
 * single IPv6 addresses would let it walk around every per-address limit.
 */
import { isIP } from 'node:net';

const MAPPED_IPV4 = /^::ffff:(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/i;

/** The address as it should be shown and matched: IPv4-mapped IPv6 as plain IPv4, no zone index. */
export function plainAddress(remote: string | undefined): string {
  if (!remote) return '?';
  const mapped = MAPPED_IPV4.exec(remote);
  if (mapped) return mapped[1]!;
  const zone = remote.indexOf('%');
  return zone >= 0 ? remote.slice(0, zone) : remote;
}

/** A bind address or a peer on the loopback interface (`localhost`, `127.0.0.0/8`, `::1`, and IPv4-mapped forms). */
export function isLoopback(host: string): boolean {
  const h = plainAddress(host.replace(/^\[|\]$/g, '').toLowerCase());
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/** The key a peer is counted under: its IPv4 address, or the /64 of its IPv6 address (`2001:db8:1:2::/64`). */
export function peerKey(remote: string | undefined): string {
  const address = plainAddress(remote);
  if (isIP(address) !== 6) return address;
  const groups = expandIpv6(address);
  if (!groups) return address;
  const prefix = groups.slice(0, 4);
  while (prefix.length > 0 && prefix.at(-1) === 0) prefix.pop(); // 2001:db8:0:0::/64 reads 2001:db8::/64
  return `${prefix.map((g) => g.toString(16)).join(':')}::/64`;
}

/** The eight 16-bit groups of an IPv6 address (already checked by `isIP`), or undefined. */
function expandIpv6(address: string): number[] | undefined {
  let text = address;
  const tail: number[] = [];
  // An IPv4 tail (`::1.2.3.4`, `64:ff9b::1.2.3.4`) stands for the last two groups.
  const lastColon = text.lastIndexOf(':');
  const last = text.slice(lastColon + 1);
  if (last.includes('.')) {
    const [a, b, c, d] = last.split('.').map(Number) as [number, number, number, number];
    tail.push((a << 8) | b, (c << 8) | d);
    text = text.slice(0, lastColon + 1);
    if (!text.endsWith('::')) text = text.slice(0, -1);
  }
  const halves = text.split('::');
  const parse = (part: string | undefined) => (part ? part.split(':').map((g) => parseInt(g, 16)) : []);
  const left = parse(halves[0]);
  const right = parse(halves[1]);
  const missing = 8 - tail.length - left.length - right.length;
  if (missing < 0 || (halves.length === 1 && missing !== 0)) return undefined;
  const groups = [...left, ...Array<number>(missing).fill(0), ...right, ...tail];
  return groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : undefined;
}
