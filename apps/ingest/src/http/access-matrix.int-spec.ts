import { createPublicKey } from 'node:crypto';
import { SignJWT, UnsecuredJWT } from 'jose';
import type { Admin } from 'kafkajs';
import { createOidcIssuer, startSimulator, type OidcIssuer, type StartedSimulator } from '@leadflow/simulators';
import { testTls } from '@leadflow/testing';
import { adminAuth, allTopics, startTestIngest, type TestIngest } from '../ingest.int-harness';

/**
 * Every route and method against every kind of caller, on one ingest instance whose tokens come from a real OIDC
 * issuer (HTTPS, JWKS). Each refused call must leave the offer table, the topics ingest writes (leads and offer
 * configuration) and the replay ledger exactly as they were.
 */

const A = `contoso.matrix-${Date.now().toString(36)}`;
const B = `fabrikam.matrix-${Date.now().toString(36)}`;
const AUDIENCE = 'api://leadflow-matrix';
const DESTINATION = { type: 'https', url: 'https://example.com/leads' };
const LEAD = (offerId: string) => ({
  offerId,
  source: 'AzureMarketplace',
  action: 'INS',
  customer: { firstName: 'Ann', lastName: 'Lee', email: 'ann.lee@contoso.com' },
});

type Caller =
  | 'no token'
  | 'expired'
  | 'wrong audience'
  | 'wrong issuer'
  | 'unknown kid'
  | 'alg none'
  | 'HMAC with the public key'
  | 'producer'
  | 'publisher A on A'
  | 'publisher A on B'
  | 'analyst'
  | 'operator';

interface Route {
  readonly name: string;
  readonly method: 'GET' | 'PUT' | 'DELETE' | 'POST';
  readonly path: (offer: string) => string;
  readonly body?: (offer: string) => unknown;
  /** The status each caller gets. */
  readonly expect: Readonly<Record<Caller, number>>;
}

const UNAUTHENTICATED = {
  'no token': 401,
  expired: 401,
  'wrong audience': 401,
  'wrong issuer': 401,
  'unknown kid': 401,
  'alg none': 401,
  'HMAC with the public key': 401,
} as const;

const ROUTES: readonly Route[] = [
  {
    name: 'PUT destination',
    method: 'PUT',
    path: (o) => `/v1/offers/${o}/destination`,
    body: () => DESTINATION,
    expect: {
      ...UNAUTHENTICATED,
      producer: 403,
      'publisher A on A': 200,
      'publisher A on B': 404,
      analyst: 403,
      operator: 200,
    },
  },
  {
    name: 'GET destination',
    method: 'GET',
    path: (o) => `/v1/offers/${o}/destination`,
    expect: {
      ...UNAUTHENTICATED,
      producer: 403,
      'publisher A on A': 200,
      'publisher A on B': 404,
      analyst: 403,
      operator: 200,
    },
  },
  {
    name: 'GET status',
    method: 'GET',
    path: (o) => `/v1/offers/${o}/status`,
    expect: {
      ...UNAUTHENTICATED,
      producer: 403,
      'publisher A on A': 200,
      'publisher A on B': 404,
      analyst: 200,
      operator: 200,
    },
  },
  {
    name: "POST the offer's lead URL",
    method: 'POST',
    path: (o) => `/v1/offers/${o}/leads`,
    body: (o) => LEAD(o),
    expect: {
      ...UNAUTHENTICATED,
      producer: 202,
      'publisher A on A': 202,
      'publisher A on B': 404,
      analyst: 403,
      operator: 202,
    },
  },
  {
    name: 'POST leads',
    method: 'POST',
    path: () => '/v1/leads',
    body: (o) => LEAD(o),
    expect: {
      ...UNAUTHENTICATED,
      producer: 202,
      'publisher A on A': 403,
      'publisher A on B': 403,
      analyst: 403,
      operator: 202,
    },
  },
  {
    name: 'POST leads/batch',
    method: 'POST',
    path: () => '/v1/leads/batch',
    body: (o) => ({ leads: [LEAD(o)] }),
    expect: {
      ...UNAUTHENTICATED,
      producer: 200,
      'publisher A on A': 403,
      'publisher A on B': 403,
      analyst: 403,
      operator: 200,
    },
  },
  {
    name: 'DELETE destination',
    method: 'DELETE',
    path: (o) => `/v1/offers/${o}/destination`,
    expect: {
      ...UNAUTHENTICATED,
      producer: 403,
      'publisher A on A': 204,
      'publisher A on B': 404,
      analyst: 403,
      operator: 204,
    },
  },
];

const CALLERS = Object.keys(ROUTES[0]?.expect ?? {}) as Caller[];

describe('access matrix: every route and method × every caller, on one ingest', () => {
  let issuer: OidcIssuer;
  let sim: StartedSimulator;
  let t: TestIngest;
  let admin: Admin;
  const tokens = new Map<Caller, string | undefined>();

  beforeAll(async () => {
    issuer = createOidcIssuer({ audience: AUDIENCE });
    sim = await startSimulator(issuer, testTls(), { host: '127.0.0.1', port: 0 });
    issuer.setIssuer(sim.url);
    t = await startTestIngest({
      ownLedger: true,
      env: {
        LEADFLOW_OIDC_ISSUER: sim.url,
        LEADFLOW_OIDC_AUDIENCE: AUDIENCE,
        LEADFLOW_OIDC_JWKS_URL: `${sim.url}/discovery/v2.0/keys`,
      },
    });
    admin = t.kafka.admin();
    await admin.connect();

    const sign = (claims: Record<string, unknown>) => issuer.sign(claims);
    const publicJwk = issuer.jwks().keys[0];
    const publicPem = createPublicKey({ key: publicJwk as never, format: 'jwk' }).export({
      type: 'spki',
      format: 'pem',
    });
    const stranger = createOidcIssuer({ issuer: sim.url, audience: AUDIENCE });
    tokens.set('no token', undefined);
    tokens.set('expired', await issuer.sign({ roles: ['operator'] }, { expiresInS: -600 }));
    tokens.set('wrong audience', await sign({ roles: ['operator'], aud: 'api://another-api' }));
    tokens.set(
      'wrong issuer',
      await issuer.sign({ roles: ['operator'] }, { issuer: 'https://login.example.com/x/v2.0' }),
    );
    tokens.set('unknown kid', await stranger.sign({ roles: ['operator'] }));
    tokens.set(
      'alg none',
      new UnsecuredJWT({ roles: ['operator'] })
        .setIssuer(sim.url)
        .setAudience(AUDIENCE)
        .setExpirationTime('5m')
        .encode(),
    );
    tokens.set(
      'HMAC with the public key',
      await new SignJWT({ roles: ['operator'] })
        .setProtectedHeader({ alg: 'HS256', kid: publicJwk?.kid ?? '' })
        .setIssuer(sim.url)
        .setAudience(AUDIENCE)
        .setExpirationTime('5m')
        .sign(new TextEncoder().encode(String(publicPem))),
    );
    tokens.set('producer', await sign({ roles: ['producer'] }));
    const publisherA = await sign({ roles: ['publisher'], publishers: ['contoso'] });
    tokens.set('publisher A on A', publisherA);
    tokens.set('publisher A on B', publisherA);
    tokens.set('analyst', await sign({ roles: ['analyst'], publishers: ['*'] }));
    tokens.set('operator', await sign({ roles: ['operator'] }));
  });

  afterAll(async () => {
    await admin?.disconnect();
    await t?.close();
    await sim?.close();
  });

  const call = (route: Route, offer: string, token: string | undefined) =>
    t.ingest.app.inject({
      method: route.method,
      url: route.path(offer),
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(route.body ? { 'content-type': 'application/json' } : {}),
      },
      ...(route.body ? { payload: JSON.stringify(route.body(offer)) } : {}),
    });

  /** Both offers configured (a DELETE that was allowed removed one), by the operator's static token. */
  const ensureOffers = async () => {
    for (const offer of [A, B]) {
      const got = await t.ingest.app.inject({
        method: 'GET',
        url: `/v1/offers/${offer}/destination`,
        headers: adminAuth,
      });
      if (got.statusCode === 404) {
        const put = await t.ingest.app.inject({
          method: 'PUT',
          url: `/v1/offers/${offer}/destination`,
          headers: { ...adminAuth, 'content-type': 'application/json' },
          payload: JSON.stringify(DESTINATION),
        });
        expect(put.statusCode).toBe(200);
      }
    }
  };

  /** What a refused call must not change: both offers' versions, and the end offsets of every topic of the instance. */
  const snapshot = async () => {
    const versions: Record<string, unknown> = {};
    for (const offer of [A, B]) {
      const r = await t.ingest.app.inject({
        method: 'GET',
        url: `/v1/offers/${offer}/destination`,
        headers: adminAuth,
      });
      versions[offer] = r.statusCode === 200 ? (r.json() as { version: number }).version : r.statusCode;
    }
    const offsets: Record<string, string> = {};
    // Every topic of the instance: leads, offer configuration, receipts, dead letters, the replay ledger, the audit.
    for (const topic of allTopics(t.topics)) {
      const parts = await admin.fetchTopicOffsets(topic);
      offsets[topic] = parts
        .map((p) => `${p.partition}:${p.high}`)
        .sort()
        .join(',');
    }
    return { versions, offsets };
  };

  const cases = ROUTES.flatMap((route) => CALLERS.map((caller) => [route.name, caller] as const));

  it.each(cases)('%s as %s', async (routeName, caller) => {
    const route = ROUTES.find((r) => r.name === routeName) as Route;
    const offer = caller === 'publisher A on B' ? B : A;
    const expected = route.expect[caller];
    await ensureOffers();
    const before = await snapshot();
    const res = await call(route, offer, tokens.get(caller));
    expect(res.statusCode).toBe(expected);
    if (expected >= 400) {
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(await snapshot()).toEqual(before);
    }
    // The snapshot does see changes: an allowed write moves it (so "unchanged" above is not vacuous).
    if (expected < 300 && route.method !== 'GET') expect(await snapshot()).not.toEqual(before);
    if (expected === 401) expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="leadflow"/);
    if (expected === 404) {
      // Word for word what an offer without any destination answers: nothing says B's offer exists.
      expect(res.json()).toEqual({
        type: 'urn:leadflow:problem:not-found',
        title: 'Not Found',
        status: 404,
        detail: `Offer ${offer} has no destination.`,
        instance: route.path(offer),
      });
    }
  });

  it('answers another publisher’s existing offer exactly as an offer that does not exist', async () => {
    const publisherA = tokens.get('publisher A on B');
    const ghost = `fabrikam.never-${Date.now().toString(36)}`;
    const status = await call(ROUTES[2] as Route, B, publisherA);
    const missing = await call(ROUTES[2] as Route, ghost, tokens.get('operator'));
    expect(status.statusCode).toBe(404);
    expect(missing.statusCode).toBe(404);
    const strip = (body: Record<string, unknown>, offer: string) => JSON.stringify(body).split(offer).join('<offer>');
    expect(strip(status.json(), B)).toBe(strip(missing.json(), ghost));
  });
});
