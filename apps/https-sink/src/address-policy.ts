import { BlockList, isIP } from 'node:net';

export type AllowedAddresses = 'none' | 'loopback' | 'private';

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

/** Private, link-local, carrier-grade NAT, unspecified and other non-public ranges. */
const internal = new BlockList();
for (const [net, bits] of [
  ['10.0.0.0', 8],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['100.64.0.0', 10],
  ['169.254.0.0', 16],
  ['0.0.0.0', 8],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  internal.addSubnet(net, bits, 'ipv4');
}
for (const [net, bits] of [
  ['fc00::', 7],
  ['fe80::', 10],
  ['::', 128],
  ['ff00::', 8],
] as const)
  internal.addSubnet(net, bits, 'ipv6');

/** `::ffff:10.0.0.1` is 10.0.0.1: judge IPv4-mapped addresses as the IPv4 address they carry. */
function unmap(address: string): { address: string; family: 'ipv4' | 'ipv6' } {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1]) return { address: mapped[1], family: 'ipv4' };
  return { address, family: isIP(address) === 6 ? 'ipv6' : 'ipv4' };
}

export function addressKind(address: string): 'loopback' | 'private' | 'public' {
  const a = unmap(address);
  if (loopback.check(a.address, a.family)) return 'loopback';
  if (internal.check(a.address, a.family)) return 'private';
  return 'public';
}

/**
 * Whether the sink may connect to this resolved address. Publishers' endpoints are public; the
 * operator can allow loopback (the local stack) or private addresses (an internal deployment).
 */
export function isAllowed(address: string, allow: AllowedAddresses): boolean {
  const kind = addressKind(address);
  if (kind === 'public') return true;
  if (kind === 'loopback') return allow === 'loopback' || allow === 'private';
  return allow === 'private';
}
