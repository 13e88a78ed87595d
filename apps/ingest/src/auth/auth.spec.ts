import { authorize } from './authorize';
import { bearerToken, TokenVerifier } from './token-verifier';
import { offerLeadUrl, signOfferId, verifyOfferSignature } from './url-signature';

const KEY = 'test-url-signing-key';
const tokens = new TokenVerifier({ producer: ['p-one', 'p-two'], admin: ['a-one'] });

describe('TokenVerifier', () => {
  it('maps each configured token to its scope and refuses others', () => {
    expect(tokens.identify('p-one')?.scope).toBe('producer');
    expect(tokens.identify('p-two')?.scope).toBe('producer');
    expect(tokens.identify('a-one')?.scope).toBe('admin');
    expect(tokens.identify('p-on')).toBeUndefined();
    expect(tokens.identify('p-one ')).toBeUndefined();
    expect(tokens.identify('')).toBeUndefined();
  });

  it('names each token by a stable id that is not the token', () => {
    const one = tokens.identify('p-one')?.tokenId;
    expect(one).toMatch(/^[0-9a-f]{12}$/);
    expect(tokens.identify('p-two')?.tokenId).not.toBe(one);
    expect(new TokenVerifier({ producer: ['p-one'], admin: [] }).identify('p-one')?.tokenId).toBe(one);
    expect(one).not.toContain('p-one');
  });

  it('grants admin when a token is configured in both lists', () => {
    expect(new TokenVerifier({ producer: ['t'], admin: ['t'] }).identify('t')?.scope).toBe('admin');
  });

  it('reads only the Bearer scheme', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer   abc ')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeUndefined();
    expect(bearerToken('Bearer')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });
});

describe('offer URL signatures', () => {
  it('signs the offer id with HMAC-SHA256 in base64url and verifies only the right offer and key', () => {
    const sig = signOfferId(KEY, 'contoso.crm');
    expect(sig).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(verifyOfferSignature(KEY, 'contoso.crm', sig)).toBe(true);
    expect(verifyOfferSignature(KEY, 'fabrikam.crm', sig)).toBe(false);
    expect(verifyOfferSignature('other-key', 'contoso.crm', sig)).toBe(false);
    expect(verifyOfferSignature(KEY, 'contoso.crm', sig.slice(1))).toBe(false);
    expect(verifyOfferSignature(KEY, 'contoso.crm', '')).toBe(false);
  });

  it('builds the signed lead URL from the public base URL', () => {
    expect(offerLeadUrl('https://leads.example.com/', KEY, 'contoso.crm')).toBe(
      `https://leads.example.com/v1/offers/contoso.crm/leads?sig=${signOfferId(KEY, 'contoso.crm')}`,
    );
  });
});

describe('authorize', () => {
  it('lets producer and admin tokens send leads', () => {
    expect(authorize('producer', { authorization: 'Bearer p-one' }, tokens, KEY)).toEqual({
      ok: true,
      principal: { kind: 'token', scope: 'producer', tokenId: tokens.identify('p-one')?.tokenId },
    });
    expect(authorize('producer', { authorization: 'Bearer a-one' }, tokens, KEY).ok).toBe(true);
  });

  it('answers 401 with a challenge for a missing or unknown token', () => {
    expect(authorize('producer', {}, tokens, KEY)).toMatchObject({
      ok: false,
      status: 401,
      challenge: 'Bearer realm="leadflow"',
    });
    expect(authorize('admin', { authorization: 'Bearer nope' }, tokens, KEY)).toMatchObject({
      ok: false,
      status: 401,
      challenge: 'Bearer realm="leadflow", error="invalid_token"',
    });
    expect(authorize('admin', { authorization: 'Basic a-one' }, tokens, KEY)).toMatchObject({ status: 401 });
  });

  it('answers 403 when a producer token touches offer configuration', () => {
    expect(authorize('admin', { authorization: 'Bearer p-one' }, tokens, KEY)).toMatchObject({
      ok: false,
      status: 403,
    });
    expect(authorize('admin', { authorization: 'Bearer a-one' }, tokens, KEY).ok).toBe(true);
  });

  it('accepts the offer signature instead of a token only where the route allows it', () => {
    const sig = signOfferId(KEY, 'contoso.crm');
    expect(authorize('producer-or-signature', { sig, offerId: 'contoso.crm' }, tokens, KEY)).toEqual({
      ok: true,
      principal: { kind: 'signature', offerId: 'contoso.crm' },
    });
    expect(authorize('producer-or-signature', { sig, offerId: 'fabrikam.crm' }, tokens, KEY)).toMatchObject({
      status: 401,
    });
    expect(authorize('producer', { sig, offerId: 'contoso.crm' }, tokens, KEY)).toMatchObject({ status: 401 });
    expect(authorize('admin', { sig, offerId: 'contoso.crm' }, tokens, KEY)).toMatchObject({ status: 401 });
  });
});
