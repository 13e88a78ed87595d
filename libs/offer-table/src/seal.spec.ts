import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import type { Destination } from '@leadflow/lead-model';
import { KeyringError, openDestination, parseKeyring, sealDestination, SecretError } from './index';

const key = () => randomBytes(32).toString('base64');
const OFFER = 'contoso.crm-connector';

const dynamics: Destination = {
  type: 'dynamics',
  url: 'https://org.crm.dynamics.com',
  auth: {
    kind: 'aad',
    tenantId: '11111111-1111-1111-1111-111111111111',
    clientId: '22222222-2222-2222-2222-222222222222',
    clientSecret: 'very-s3cret',
  },
};

const table: Destination = {
  type: 'azure-table',
  connectionString:
    'DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=c2VjcmV0;EndpointSuffix=core.windows.net',
  tableName: 'MarketplaceLeads',
};

function errorOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected an error');
}

describe('parseKeyring', () => {
  it('takes the first key as active and keeps the others for opening', () => {
    const ring = parseKeyring(`new:${key()}, old:${key()}`);
    expect(ring.activeKid).toBe('new');
    expect(ring.kids).toEqual(['new', 'old']);
  });

  it.each([
    ['an empty spec', '', /empty/],
    ['an entry without a key id', 'nokey', /entry 1 is not "kid:base64key"/],
    ['a 16-byte key', `a:${randomBytes(16).toString('base64')}`, /must be 32 bytes, got 16/],
    ['a repeated key id', `a:${key()},a:${key()}`, /appears twice/],
    ['a key that is not base64', 'a:not base64!', /not base64/],
  ])('refuses %s with a message naming the problem', (_label, spec, message) => {
    expect(() => parseKeyring(spec)).toThrow(KeyringError);
    expect(() => parseKeyring(spec)).toThrow(message);
  });

  it('never shows key material when logged or serialised', () => {
    const material = key();
    const ring = parseKeyring(`k1:${material}`);
    expect(JSON.stringify(ring)).not.toContain(material);
    expect(inspect(ring, { depth: 5, showHidden: true })).not.toContain(material);
    const err = errorOf(() => parseKeyring(`k1:${material.slice(0, 20)}`));
    expect(String(err)).not.toContain(material.slice(0, 20));
  });
});

describe('sealDestination / openDestination', () => {
  const ring = parseKeyring(`k1:${key()}`);

  it('seals every secret field and opens back to the original', () => {
    const sealed = sealDestination(dynamics, ring, OFFER);
    const text = JSON.stringify(sealed);
    expect(text).not.toContain('very-s3cret');
    expect(sealed).toMatchObject({
      type: 'dynamics',
      url: 'https://org.crm.dynamics.com',
      auth: { kind: 'aad', clientSecret: { kid: 'k1' } },
    });
    expect(openDestination(sealed, ring, OFFER)).toEqual(dynamics);
    // The input is not modified.
    expect(JSON.stringify(dynamics)).toContain('very-s3cret');
  });

  it('seals the whole connection string of an azure-table destination', () => {
    const sealed = sealDestination(table, ring, OFFER);
    const text = JSON.stringify(sealed);
    expect(text).not.toContain('AccountName=acct');
    expect(text).not.toContain('c2VjcmV0');
    expect(sealed).toMatchObject({ tableName: 'MarketplaceLeads', connectionString: { kid: 'k1' } });
    expect(openDestination(sealed, ring, OFFER)).toEqual(table);
  });

  it('uses a fresh IV for every seal', () => {
    const a = JSON.stringify(sealDestination(dynamics, ring, OFFER));
    const b = JSON.stringify(sealDestination(dynamics, ring, OFFER));
    expect(a).not.toEqual(b);
  });

  it('opens secrets sealed under an older key after a rotation', () => {
    const oldKey = key();
    const sealed = sealDestination(dynamics, parseKeyring(`old:${oldKey}`), OFFER);
    const rotated = parseKeyring(`new:${key()},old:${oldKey}`);
    expect(openDestination(sealed, rotated, OFFER)).toEqual(dynamics);
    expect(JSON.stringify(sealDestination(dynamics, rotated, OFFER))).toContain('"kid":"new"');
  });

  it('names the missing key id when the ring does not hold it', () => {
    const sealed = sealDestination(dynamics, parseKeyring(`gone:${key()}`), OFFER);
    const err = errorOf(() => openDestination(sealed, ring, OFFER));
    expect(err).toBeInstanceOf(SecretError);
    expect(err).toMatchObject({ reason: 'unknown-key' });
    expect(String(err)).toContain('"gone"');
    expect(String(err)).toContain('auth.clientSecret');
  });

  it('refuses a tampered ciphertext', () => {
    const sealed = sealDestination(dynamics, ring, OFFER) as unknown as { auth: { clientSecret: { data: string } } };
    const data = Buffer.from(sealed.auth.clientSecret.data, 'base64');
    data[0] = (data[0] ?? 0) ^ 0x01;
    sealed.auth.clientSecret.data = data.toString('base64');
    const err = errorOf(() => openDestination(sealed as never, ring, OFFER));
    expect(err).toMatchObject({ name: 'SecretError', reason: 'not-authentic' });
    expect(String(err)).toMatch(/failed authentication/);
  });

  it('refuses a secret moved to another offer', () => {
    const sealed = sealDestination(dynamics, ring, OFFER);
    const err = errorOf(() => openDestination(sealed, ring, 'fabrikam.other-offer'));
    expect(err).toMatchObject({ name: 'SecretError', reason: 'not-authentic' });
    expect(String(err)).toContain('fabrikam.other-offer');
  });

  it('refuses a key registered under the same id that is not the sealing key', () => {
    const sealed = sealDestination(dynamics, ring, OFFER);
    expect(() => openDestination(sealed, parseKeyring(`k1:${key()}`), OFFER)).toThrow(/failed authentication/);
  });

  it('refuses a stored destination whose secret field is plaintext', () => {
    expect(() => openDestination(dynamics as never, ring, OFFER)).toThrow(
      /auth.clientSecret of offer .* is not a sealed secret/,
    );
  });
});
