import ipaddr from 'ipaddr.js';

export type AllowedAddresses = 'none' | 'loopback' | 'private';

/** Bytes 0–11 of the NAT64 well-known prefix 64:ff9b::/96 (RFC 6052 §2.1). */
const NAT64_WELL_KNOWN = [0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0];

const dotted = (bytes: readonly number[]): string => bytes.join('.');

/**
 * The IPv4 address an IPv6 address carries and that a connection to it reaches: IPv4-mapped `::ffff:0:0/96` and
 * IPv4-compatible `::/96` (RFC 4291 §2.5.5), the NAT64 well-known prefix `64:ff9b::/96` (RFC 6052 §2.1), which a NAT64
 * gateway translates to that address, and 6to4 `2002::/16` (RFC 3056 §2), whose relay tunnels to it.
 */
export function embeddedIPv4(address: string): string | undefined {
  if (!ipaddr.IPv6.isValid(address)) return undefined;
  const v6 = ipaddr.IPv6.parse(address);
  const bytes = v6.toByteArray();
  switch (v6.range()) {
    case 'ipv4Mapped':
      return dotted(bytes.slice(12));
    case 'rfc6052':
      // Only the /96 well-known prefix says where the IPv4 address sits; 64:ff9b:1::/48 (RFC 8215) is a network's
      // own NAT64 prefix, whose length, and so the embedded address, only that network knows.
      return NAT64_WELL_KNOWN.every((b, i) => bytes[i] === b) ? dotted(bytes.slice(12)) : undefined;
    case '6to4':
      return dotted(bytes.slice(2, 6));
    default:
      // IPv4-compatible: 96 zero bits, then the address (`::` and `::1` are themselves, not IPv4 forms).
      return bytes.slice(0, 12).every((b) => b === 0) && v6.range() === 'unicast' ? dotted(bytes.slice(12)) : undefined;
  }
}

/**
 * Loopback, public, or private: anything that is not plain unicast on the public internet (RFC 1918, link-local,
 * carrier-grade NAT, multicast, documentation and benchmarking ranges, unique-local, Teredo, a network's own NAT64
 * prefix…). An IPv6 form that carries an IPv4 address is judged by that address.
 */
export function addressKind(address: string): 'loopback' | 'private' | 'public' {
  const bare = address.replace(/%.*$/, '');
  if (ipaddr.IPv4.isValidFourPartDecimal(bare)) return kindOf(ipaddr.IPv4.parse(bare).range());
  if (!ipaddr.IPv6.isValid(bare)) return 'private';
  const v4 = embeddedIPv4(bare);
  return v4 === undefined ? kindOf(ipaddr.IPv6.parse(bare).range()) : kindOf(ipaddr.IPv4.parse(v4).range());
}

function kindOf(range: string): 'loopback' | 'private' | 'public' {
  if (range === 'loopback') return 'loopback';
  return range === 'unicast' ? 'public' : 'private';
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
