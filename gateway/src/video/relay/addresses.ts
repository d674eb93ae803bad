/**
 * Network addresses as the relay's access rules see them: whether a bind address or a client is
 * on loopback, and lists of addresses and subnets (`video.relay.publish.from`) a client address is
 * matched against. IPv4 clients of a dual-stack socket arrive as `::ffff:a.b.c.d` and are matched
 * as the IPv4 address they are, so a list written with IPv4 entries works on either socket.
 */
import { BlockList, isIP } from 'node:net';

/** A bind address or a client address on the loopback interface (`localhost`, `127.0.0.0/8`, `::1`). */
export function isLoopback(host: string): boolean {
  const h = plainAddress(host.replace(/^\[|\]$/g, '').toLowerCase());
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/** A client address as written in lists: IPv4-mapped IPv6 (`::ffff:10.0.0.5`) becomes `10.0.0.5`. */
export function plainAddress(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? mapped[1]! : address;
}

/** Why an entry of an address list is not one, or undefined when it is (`10.0.0.5`, `10.0.5.0/24`, `fd00::/8`). */
export function addressEntryProblem(entry: string): string | undefined {
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return `"${entry}" is not an IP address or subnet (e.g. 10.0.0.5 or 10.0.5.0/24)`;
  if (prefix === undefined) return undefined;
  const bits = Number(prefix);
  const max = family === 4 ? 32 : 128;
  if (!/^\d+$/.test(prefix) || bits > max) return `"${entry}": the prefix length must be 0..${max}`;
  return undefined;
}

/** A list of addresses and subnets; `admits` answers for one client address. */
export class AddressList {
  private readonly list = new BlockList();

  /** Entries must pass `addressEntryProblem` (the schema checks them); a bad one throws. */
  constructor(readonly entries: readonly string[]) {
    for (const entry of entries) {
      const problem = addressEntryProblem(entry);
      if (problem) throw new RangeError(problem);
      const [address, prefix] = entry.split('/') as [string, string | undefined];
      const type = isIP(address) === 4 ? 'ipv4' : 'ipv6';
      if (prefix === undefined) this.list.addAddress(address, type);
      else this.list.addSubnet(address, Number(prefix), type);
    }
  }

  admits(address: string | undefined): boolean {
    if (!address) return false;
    const plain = plainAddress(address);
    const family = isIP(plain);
    if (family === 0) return false;
    return this.list.check(plain, family === 4 ? 'ipv4' : 'ipv6');
  }

  /** Whether every entry is on loopback (a list that a loopback-only relay can honour). */
  get loopbackOnly(): boolean {
    return this.entries.every((e) => {
      const [address, prefix] = e.split('/') as [string, string | undefined];
      if (!isLoopback(address)) return false;
      // 127.0.0.0/8 and narrower stay on loopback; ::1 has no wider loopback subnet.
      return prefix === undefined || (isIP(address) === 4 ? Number(prefix) >= 8 : Number(prefix) === 128);
    });
  }
}
