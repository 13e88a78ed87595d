import { addressKind, embeddedIPv4, isAllowed } from './address-policy';

describe('addressKind', () => {
  it.each([
    ['93.184.216.34', 'public'],
    ['127.0.0.1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['169.254.169.254', 'private'],
    ['2606:4700::1111', 'public'],
    ['::1', 'loopback'],
    ['::', 'private'],
    ['fe80::1%eth0', 'private'],
    ['fd00::1', 'private'],
    // Neither private nor public internet: documentation, benchmarking, Teredo, a network's own NAT64 prefix.
    ['192.0.2.1', 'private'],
    ['198.18.0.1', 'private'],
    ['2001:db8::1', 'private'],
    ['2001::1', 'private'],
    ['64:ff9b:1::5db8:d822', 'private'],
    ['not an address', 'private'],
  ])('%s is %s', (address, kind) => {
    expect(addressKind(address)).toBe(kind);
  });

  it.each([
    // IPv4-mapped ::ffff:0:0/96, dotted and hexadecimal (as WHATWG URL serialises `[::ffff:10.0.0.1]`).
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:a00:1', 'private'],
    ['::FFFF:7F00:1', 'loopback'],
    ['::ffff:5db8:d822', 'public'],
    // NAT64 well-known prefix 64:ff9b::/96 (RFC 6052): the gateway connects to the carried IPv4 address.
    ['64:ff9b::10.0.0.1', 'private'],
    ['64:ff9b::a9fe:a9fe', 'private'],
    ['64:ff9b::7f00:1', 'loopback'],
    ['64:ff9b:0:0:0:0:c0a8:101', 'private'],
    ['64:ff9b::5db8:d822', 'public'],
    // IPv4-compatible ::/96 (RFC 4291, deprecated).
    ['::10.0.0.1', 'private'],
    ['::a00:1', 'private'],
    ['::127.0.0.1', 'loopback'],
    ['::7f00:1', 'loopback'],
    ['::5db8:d822', 'public'],
    // 6to4 2002::/16 (RFC 3056): the IPv4 address sits in bits 16–47.
    ['2002:a00:1::1', 'private'],
    ['2002:7f00:1::', 'loopback'],
    ['2002:5db8:d822::1', 'public'],
  ])('judges %s by the IPv4 address it carries: %s', (address, kind) => {
    expect(addressKind(address)).toBe(kind);
  });

  it('leaves other IPv6 addresses alone, including neighbours of the carrying prefixes', () => {
    expect(embeddedIPv4('64:ff9b:1::a00:1')).toBeUndefined();
    expect(embeddedIPv4('::fffe:a00:1')).toBeUndefined();
    expect(embeddedIPv4('1::a00:1')).toBeUndefined();
    expect(embeddedIPv4('10.0.0.1')).toBeUndefined();
    expect(embeddedIPv4('not an address')).toBeUndefined();
    expect(embeddedIPv4('64:ff9b::a00:1')).toBe('10.0.0.1');
    expect(embeddedIPv4('2002:a00:1::1')).toBe('10.0.0.1');
  });
});

describe('isAllowed', () => {
  it('refuses a private IPv4 address in any IPv6 form unless private addresses are allowed', () => {
    for (const address of ['10.0.0.1', '::ffff:a00:1', '64:ff9b::a00:1', '::a00:1']) {
      expect(isAllowed(address, 'none')).toBe(false);
      expect(isAllowed(address, 'loopback')).toBe(false);
      expect(isAllowed(address, 'private')).toBe(true);
    }
    expect(isAllowed('64:ff9b::7f00:1', 'none')).toBe(false);
    expect(isAllowed('64:ff9b::7f00:1', 'loopback')).toBe(true);
    expect(isAllowed('64:ff9b::5db8:d822', 'none')).toBe(true);
  });
});
