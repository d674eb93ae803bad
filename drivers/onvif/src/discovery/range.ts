/** The addresses a unicast discovery probes: one host, or every host address of an IPv4 CIDR range. */
import { isIPv4 } from 'node:net';
import { SensegateError } from '@sensegate/sdk';

/** The most addresses one discovery probes (a /22): a larger range would flood the network. */
export const MAX_RANGE = 1024;

const toNumber = (ip: string) => ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
const toText = (n: number) => [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');

export function expandRange(range: string): string[] {
  const [base, bitsText, extra] = range.trim().split('/');
  if (extra !== undefined || !base) throw rangeError(range, 'is not an address or a CIDR range');
  if (bitsText === undefined) return [base]; // a host name or an address, probed as it is
  if (!isIPv4(base)) throw rangeError(range, 'needs an IPv4 address before the /, e.g. 192.168.1.0/24');
  const bits = Number(bitsText);
  if (!Number.isInteger(bits) || bits < 0 || bits > 32) throw rangeError(range, 'has a prefix length outside 0..32');
  const size = 2 ** (32 - bits);
  const first = Math.floor(toNumber(base) / size) * size;
  // Leave out the network and broadcast addresses, except in /31 and /32 which have none.
  const hosts = size <= 2 ? size : size - 2;
  if (hosts > MAX_RANGE) {
    throw rangeError(range, `has ${hosts} addresses; discovery probes at most ${MAX_RANGE} (a /22) at a time: split it into smaller ranges`);
  }
  const start = size <= 2 ? first : first + 1;
  return Array.from({ length: hosts }, (_, i) => toText(start + i));
}

function rangeError(range: string, problem: string): SensegateError {
  return new SensegateError('SG_CONFIG_INVALID', `onvif discovery: range "${range}" ${problem}`, { driver: 'onvif' });
}
