/**
 * Remote address allow-lists: single IPv4/IPv6 addresses and CIDR blocks (`10.1.0.0/16`,
 * `fd00::/8`). IPv4 peers seen through an IPv6 socket (`::ffff:10.1.2.3`) match IPv4 entries.
 * A station's `allow` is one; a listener whose every station has one refuses other addresses on
 * arrival, before a byte is read.
 */
import { BlockList, isIP } from 'node:net';
import { plainAddress } from './peer-address.js';

/** Whether `entry` is an address or a CIDR block. */
export function isAllowEntry(entry: string): boolean {
  const [address, bits, extra] = entry.split('/');
  if (extra !== undefined || !address) return false;
  const family = isIP(address);
  if (family === 0) return false;
  if (bits === undefined) return true;
  if (!/^\d{1,3}$/.test(bits)) return false;
  return Number(bits) <= (family === 4 ? 32 : 128);
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

  allows(remote: string | undefined): boolean {
    if (!remote) return false;
    const address = plainAddress(remote);
    const family = isIP(address);
    if (family === 0) return false;
    return this.list.check(address, family === 6 ? 'ipv6' : 'ipv4');
  }
}
