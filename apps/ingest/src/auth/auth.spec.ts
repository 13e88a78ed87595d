import { StaticTokens, tokenDigest } from '@leadflow/access';
import { Authenticator } from './authenticate';
import { authorize, principalId } from './authorize';
import { bearerToken } from './bearer';
import { offerLeadUrl, signOfferId, verifyOfferSignature } from './url-signature';

const KEY = 'test-url-signing-key';
const staticTokens = new StaticTokens([
  { id: 'producer', sha256: tokenDigest('p-one'), roles: ['producer'], publishers: [] },
  { id: 'ops', sha256: tokenDigest('o-one'), roles: ['operator'], publishers: [] },
  { id: 'contoso', sha256: tokenDigest('c-one'), roles: ['publisher'], publishers: ['contoso'] },
]);
const authn = new Authenticator(staticTokens);
const authenticate = (t: string) => authn.authenticate(t);
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

describe('bearerToken', () => {
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
  it('admits a token whose roles allow the action, as its caller', async () => {
    const d = await authorize({ action: 'lead.send' }, bearer('p-one'), authenticate, KEY);
    expect(d).toMatchObject({ ok: true, principal: { kind: 'caller', caller: { subject: 'static:producer' } } });
    expect(d.ok && principalId(d.principal)).toBe('static:producer');
    expect((await authorize({ action: 'offer.configure' }, bearer('o-one'), authenticate, KEY)).ok).toBe(true);
  });

  it('answers 401 with a challenge for a missing or unknown token', async () => {
    expect(await authorize({ action: 'lead.send' }, {}, authenticate, KEY)).toMatchObject({
      ok: false,
      status: 401,
      code: 'missing',
      challenge: 'Bearer realm="leadflow"',
    });
    expect(await authorize({ action: 'offer.read' }, bearer('nope'), authenticate, KEY)).toMatchObject({
      status: 401,
      code: 'unknown-token',
      challenge: 'Bearer realm="leadflow", error="invalid_token"',
    });
    expect(
      await authorize({ action: 'offer.read' }, { authorization: 'Basic o-one' }, authenticate, KEY),
    ).toMatchObject({
      status: 401,
      code: 'not-bearer',
    });
  });

  it('answers 403 when no role grants the action, 404 when the offer is another publisher’s', async () => {
    expect(
      await authorize({ action: 'offer.configure' }, { ...bearer('p-one'), offerId: 'contoso.crm' }, authenticate, KEY),
    ).toMatchObject({
      status: 403,
      code: 'insufficient-role',
      challenge: 'Bearer realm="leadflow", error="insufficient_scope"',
    });
    const own = await authorize(
      { action: 'offer.configure' },
      { ...bearer('c-one'), offerId: 'contoso.crm' },
      authenticate,
      KEY,
    );
    expect(own.ok).toBe(true);
    expect(
      await authorize(
        { action: 'offer.configure' },
        { ...bearer('c-one'), offerId: 'fabrikam.crm' },
        authenticate,
        KEY,
      ),
    ).toMatchObject({
      status: 404,
      code: 'other-publisher',
    });
  });

  it('accepts the offer signature instead of a token only where the route allows it', async () => {
    const sig = signOfferId(KEY, 'contoso.crm');
    const rule = { action: 'lead.send' as const, signature: true };
    expect(await authorize(rule, { sig, offerId: 'contoso.crm' }, authenticate, KEY)).toEqual({
      ok: true,
      principal: { kind: 'signature', offerId: 'contoso.crm' },
    });
    expect(await authorize(rule, { sig, offerId: 'fabrikam.crm' }, authenticate, KEY)).toMatchObject({ status: 401 });
    expect(await authorize({ action: 'lead.send' }, { sig, offerId: 'contoso.crm' }, authenticate, KEY)).toMatchObject({
      status: 401,
    });
    expect(
      await authorize({ action: 'offer.configure' }, { sig, offerId: 'contoso.crm' }, authenticate, KEY),
    ).toMatchObject({
      status: 401,
    });
  });
});
