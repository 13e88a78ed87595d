import { createPublicKey } from 'node:crypto';
import { SignJWT, UnsecuredJWT } from 'jose';
import { createOidcIssuer, startSimulator, type OidcIssuer, type StartedSimulator } from '@leadflow/simulators';
import { testTls } from '@leadflow/testing';
import { JwtVerifier, looksLikeJwt, type JwtSettings } from './index';

/** The verifier against the local OIDC issuer over real HTTPS: keys fetched, cached, rotated, refetched. */
describe('JwtVerifier against an OIDC issuer', () => {
  let issuer: OidcIssuer;
  let sim: StartedSimulator;
  let settings: JwtSettings;

  beforeAll(async () => {
    issuer = createOidcIssuer();
    sim = await startSimulator(issuer, testTls(), { host: '127.0.0.1', port: 0 });
    issuer.setIssuer(sim.url);
    settings = {
      issuer: sim.url,
      audience: ['api://leadflow'],
      jwksUrl: `${sim.url}/discovery/v2.0/keys`,
      algorithms: ['RS256'],
      clockToleranceS: 30,
      rolesClaim: 'roles',
      publishersClaim: 'publishers',
      jwksCooldownMs: 60_000,
      jwksMaxAgeMs: 600_000,
    };
  });
  afterAll(() => sim.close());

  const grant = async (clientId: string, secret: string): Promise<string> => {
    const res = await fetch(`${sim.url}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: clientId,
        client_secret: secret,
        scope: 'api://leadflow/.default',
      }),
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { access_token: string }).access_token;
  };

  it('publishes its OpenID configuration: issuer, token endpoint and key set', async () => {
    const doc = (await (await fetch(`${sim.url}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(doc).toMatchObject({
      issuer: sim.url,
      token_endpoint: `${sim.url}/oauth2/v2.0/token`,
      jwks_uri: `${sim.url}/discovery/v2.0/keys`,
    });
    const jwks = (await (await fetch(String(doc['jwks_uri']))).json()) as { keys: { kty: string; d?: string }[] };
    expect(jwks.keys.length).toBeGreaterThan(0);
    // Public parts only.
    expect(jwks.keys.every((k) => k.kty === 'RSA' && k.d === undefined)).toBe(true);
  });

  it('accepts a client-credentials token from the token endpoint, with its roles, publishers and subject', async () => {
    const verifier = new JwtVerifier(settings);
    const token = await grant('contoso-publisher', 'dev-contoso-secret');
    expect(looksLikeJwt(token)).toBe(true);
    const result = await verifier.verify(token);
    expect(result).toMatchObject({
      ok: true,
      caller: { roles: new Set(['publisher']), publishers: new Set(['contoso']) },
    });
    expect(result.ok && result.caller.subject).toMatch(/^[0-9a-f-]{36}\/[0-9a-f]{32}$/);
    const wrong = await fetch(`${sim.url}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: 'contoso-publisher',
        client_secret: 'nope',
      }),
    });
    expect(wrong.status).toBe(401);
  });

  it('refuses expired, not-yet-valid, foreign-audience, foreign-issuer, exp-less and role-less tokens', async () => {
    const verifier = new JwtVerifier(settings);
    const now = Math.floor(Date.now() / 1000);
    const roles = { roles: ['operator'] };
    const reason = async (t: Promise<string>) => {
      const r = await verifier.verify(await t);
      return r.ok ? 'ok' : r.reason;
    };
    expect(await reason(issuer.sign(roles, { expiresInS: -120 }))).toBe('expired');
    // Within the skew: 10 s past expiry is still accepted.
    expect(await reason(issuer.sign(roles, { expiresInS: -10 }))).toBe('ok');
    expect(await reason(issuer.sign(roles, { notBefore: now + 600 }))).toBe('claims');
    expect(await reason(issuer.sign({ ...roles, aud: 'api://someone-else' }))).toBe('claims');
    expect(await reason(issuer.sign(roles, { issuer: 'https://login.example.com/other' }))).toBe('claims');
    expect(await reason(issuer.sign({ roles: ['admin'] }))).toBe('no-role');
    expect(await reason(issuer.sign(roles, { withoutExpiry: true }))).toBe('claims');
  });

  it('refuses alg none, and an HMAC token keyed with the issuer public key (key confusion)', async () => {
    const verifier = new JwtVerifier(settings);
    const none = new UnsecuredJWT({ roles: ['operator'] })
      .setIssuer(sim.url)
      .setAudience('api://leadflow')
      .setExpirationTime('5m')
      .encode();
    expect(await verifier.verify(none)).toEqual({ ok: false, reason: 'algorithm' });
    const jwk = issuer.jwks().keys[0];
    const pem = createPublicKey({ key: jwk as never, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
    const hmac = await new SignJWT({ roles: ['operator'] })
      .setProtectedHeader({ alg: 'HS256', kid: jwk?.kid ?? '' })
      .setIssuer(sim.url)
      .setAudience('api://leadflow')
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(String(pem)));
    expect(await verifier.verify(hmac)).toEqual({ ok: false, reason: 'algorithm' });
    expect(await verifier.verify('not.a.jwt')).toEqual({ ok: false, reason: 'malformed' });
  });

  it('follows a key rotation by refetching once for an unknown kid, at most once per cooldown', async () => {
    const cooldownMs = 400;
    const verifier = new JwtVerifier({ ...settings, jwksCooldownMs: cooldownMs });
    const pause = () => new Promise((r) => setTimeout(r, cooldownMs + 100));
    expect((await verifier.verify(await issuer.sign({ roles: ['operator'] }))).ok).toBe(true);
    const fetched = issuer.jwksFetches;
    // Known keys are cached: no fetch per token.
    expect((await verifier.verify(await issuer.sign({ roles: ['operator'] }))).ok).toBe(true);
    expect(issuer.jwksFetches).toBe(fetched);

    // A token signed by a key the issuer never published: one refetch once the cooldown passed, then refused...
    await pause();
    const stranger = createOidcIssuer({ issuer: sim.url });
    expect(await verifier.verify(await stranger.sign({ roles: ['operator'] }))).toEqual({
      ok: false,
      reason: 'unknown-key',
    });
    expect(issuer.jwksFetches).toBe(fetched + 1);
    // ...and within the cooldown, a flood of unknown kids costs no fetch at all.
    for (let i = 0; i < 5; i++)
      expect((await verifier.verify(await stranger.sign({ roles: ['operator'] }))).ok).toBe(false);
    expect(issuer.jwksFetches).toBe(fetched + 1);

    // The issuer rotates its key (the old one withdrawn): the new kid is fetched on first sight and accepted.
    await pause();
    issuer.rotate(true);
    expect((await verifier.verify(await issuer.sign({ roles: ['operator'] }))).ok).toBe(true);
    expect(issuer.jwksFetches).toBe(fetched + 2);
  });

  it('answers keys-unavailable, not a refusal, when the key set cannot be fetched', async () => {
    const down = new JwtVerifier({ ...settings, jwksUrl: 'https://127.0.0.1:1/keys', jwksTimeoutMs: 1_000 });
    expect(await down.verify(await issuer.sign({ roles: ['operator'] }))).toEqual({
      ok: false,
      reason: 'keys-unavailable',
    });
  });
});
