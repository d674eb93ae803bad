/**
 * Remote address allow-lists: single IPv4/IPv6 addresses and CIDR blocks (`10.1.0.0/16`,
 * `fd00::/8`). IPv4 peers seen through an IPv6 socket (`::ffff:10.1.2.3`) match IPv4 entries.
 * A station's `allow` is one; a listener whose every station has one refuses other addresses on
 * arrival, before a byte is read.
 */
import { BlockList, isIP } from 'node:net';
import { isLoopback, plainAddress } from './peer-address.js';

/** Why `entry` is not an address or a CIDR block (`10.0.0.5`, `10.0.5.0/24`, `fd00::/8`), or undefined when it is one. */
export function allowEntryProblem(entry: string): string | undefined {
  const [address = '', bits, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return `"${entry}" is not an IP address or subnet (e.g. 10.0.0.5 or 10.0.5.0/24)`;
  if (bits === undefined) return undefined;
  const max = family === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(bits) || Number(bits) > max) return `"${entry}": the prefix length must be 0..${max}`;
  return undefined;
}

/** Whether `entry` is an address or a CIDR block. */
export function isAllowEntry(entry: string): boolean {
  return allowEntryProblem(entry) === undefined;
}

export class AllowList {
  private readonly list = new BlockList();

  constructor(readonly entries: readonly string[]) {
    for (const entry of entries) {
      const [address, bits] = entry.split('/') as [string, string | undefined];
      const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
      if (bits === undefined) this.list.addAddress(address, type);
      else this.list.addSubnet(address, Number(bits), type);
    }
  }

  /** Whether every entry is on loopback: a list that a service listening on loopback only can honour. */
  get loopbackOnly(): boolean {
    return this.entries.every((entry) => {
      const [address, bits] = entry.split('/') as [string, string | undefined];
      if (!isLoopback(address)) return false;
      // 127.0.0.0/8 and narrower stay on loopback; ::1 has no wider loopback subnet.
      return bits === undefined || (isIP(address) === 4 ? Number(bits) >= 8 : Number(bits) === 128);
    });
  }

  allows(remote: string | undefined): boolean {
    if (!remote) return false;
    const address = plainAddress(remote);
    const family = isIP(address);
    if (family === 0) return false;
    return this.list.check(address, family === 6 ? 'ipv6' : 'ipv4');
  }
}
