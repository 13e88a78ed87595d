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

/** The 16 bytes of an IPv6 address (zone id ignored), or undefined when `text` is not one. */
function ipv6Bytes(text: string): Uint8Array | undefined {
  const address = text.replace(/%.*$/, '');
  if (isIP(address) !== 6) return undefined;
  let groups = address;
  // A trailing dotted quad (`::ffff:10.0.0.1`) is the last two groups.
  const quad = /^(.*:)(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(groups);
  if (quad) {
    const [a, b, c, d] = quad.slice(2, 6).map(Number) as [number, number, number, number];
    groups = `${quad[1]}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = groups.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const words = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  const bytes = new Uint8Array(16);
  words.forEach((w, i) => {
    const v = parseInt(w, 16);
    bytes[i * 2] = v >> 8;
    bytes[i * 2 + 1] = v & 0xff;
  });
  return bytes;
}

/**
 * IPv6 forms whose last 32 bits are an IPv4 address that the connection reaches: IPv4-mapped
 * `::ffff:0:0/96` and IPv4-compatible `::/96` (RFC 4291 §2.5.5), and the NAT64 well-known prefix
 * `64:ff9b::/96` (RFC 6052 §2.1), which a NAT64 gateway translates to that IPv4 address.
 */
const IPV4_CARRYING_PREFIXES: readonly (readonly number[])[] = [
  [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff],
  [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
  [0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0],
];

/** The IPv4 address an IPv6 address carries (`::ffff:a00:1`, `::10.0.0.1`, `64:ff9b::a00:1` → 10.0.0.1). */
export function embeddedIPv4(address: string): string | undefined {
  const bytes = ipv6Bytes(address);
  if (!bytes) return undefined;
  const carried = IPV4_CARRYING_PREFIXES.some((prefix) => prefix.every((b, i) => bytes[i] === b));
  return carried ? Array.from(bytes.subarray(12)).join('.') : undefined;
}

/** An address as the family it is judged in: an IPv6 form that carries an IPv4 address is that IPv4 address. */
function judged(address: string): { address: string; family: 'ipv4' | 'ipv6' } {
  if (isIP(address) === 4) return { address, family: 'ipv4' };
  const v4 = embeddedIPv4(address);
  return v4 === undefined ? { address, family: 'ipv6' } : { address: v4, family: 'ipv4' };
}

export function addressKind(address: string): 'loopback' | 'private' | 'public' {
  // `::1` is itself loopback (though inside ::/96); every other form is judged by what it reaches.
  if (isIP(address) === 6 && loopback.check(address, 'ipv6')) return 'loopback';
  const a = judged(address);
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
