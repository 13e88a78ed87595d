import { createHash, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { SignJWT, type JWK, type JWTPayload } from 'jose';
import type { FastifyRequest } from 'fastify';
import { Recorder, type SimulatorApp } from '../server';
import { LOCAL_AUDIENCE, LOCAL_OIDC_CLIENTS, type OidcClient } from './oidc-clients';

/**
 * An OpenID Connect issuer for the local stack and the tests, shaped like Entra ID v2.0 for a daemon calling an API:
 * discovery (`/.well-known/openid-configuration`), the key set (`/discovery/v2.0/keys`) and a token endpoint that
 * grants client credentials as RS256 access tokens carrying `roles` and `publishers`, `tid`, `oid`, `azp`, `ver`.
 * Keys rotate on request (`POST /_rotate`), so tests can prove that verifiers follow a rotation.
 */

export const OIDC_TENANT_ID = '7f3e5a1c-0b2d-4e6f-8a9b-1c2d3e4f5a6b';
const TOKEN_LIFETIME_S = 3600;

export interface OidcIssuerOptions {
  /** The `iss` of every token; by default `https://<Host header>` of the request that asked. */
  readonly issuer?: string;
  readonly audience?: string;
  readonly clients?: readonly OidcClient[];
}

export interface SignOptions {
  readonly issuer?: string;
  /** Lifetime from now; negative for a token that has already expired. */
  readonly expiresInS?: number;
  readonly notBefore?: number;
  /** No `exp` at all (tests of verifiers that must require it). */
  readonly withoutExpiry?: boolean;
}

interface SigningKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicJwk: JWK;
}

export interface IssuedToken {
  readonly clientId: string;
  readonly kid: string;
  readonly at: string;
}

export interface OidcIssuer extends SimulatorApp {
  /** Mints a token with the current key (tests: custom claims, lifetimes, audiences). */
  sign(claims: JWTPayload, opts?: SignOptions): Promise<string>;
  /** A new signing key; the old one stays in the key set unless `dropOld`. Returns the new `kid`. */
  rotate(dropOld?: boolean): string;
  /** The key set as served. */
  jwks(): { keys: JWK[] };
  /** How many times the key set was fetched (tests of caching and the refetch cooldown). */
  readonly jwksFetches: number;
  /** The issuer URL tokens carry when none was configured: set once the server listens. */
  setIssuer(url: string): void;
}

/** A fresh RSA key (synchronous, so the stack's simulator catalog can build the issuer like any other). */
function newKey(): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicJwk = publicKey.export({ format: 'jwk' }) as JWK;
  const kid = createHash('sha256').update(JSON.stringify(publicJwk)).digest('base64url').slice(0, 16);
  return { kid, privateKey, publicJwk: { ...publicJwk, kid, alg: 'RS256', use: 'sig' } };
}

/** client_secret_post or client_secret_basic (RFC 6749 §2.3.1). */
function clientCredentials(req: FastifyRequest): { id?: string; secret?: string } {
  const body = (req.body ?? {}) as Record<string, unknown>;
  const auth = req.headers.authorization;
  if (auth?.startsWith('Basic ')) {
    const [id, secret] = Buffer.from(auth.slice(6), 'base64').toString('utf8').split(':');
    return { ...(id ? { id: decodeURIComponent(id) } : {}), ...(secret ? { secret: decodeURIComponent(secret) } : {}) };
  }
  return {
    ...(typeof body['client_id'] === 'string' ? { id: body['client_id'] } : {}),
    ...(typeof body['client_secret'] === 'string' ? { secret: body['client_secret'] } : {}),
  };
}

export function createOidcIssuer(options: OidcIssuerOptions = {}): OidcIssuer {
  const audience = options.audience ?? LOCAL_AUDIENCE;
  const clients = options.clients ?? LOCAL_OIDC_CLIENTS;
  let configuredIssuer = options.issuer;
  let keys: SigningKey[] = [newKey()];
  let fetches = 0;
  const issued = new Recorder<IssuedToken>();
  const current = () => keys[keys.length - 1] as SigningKey;
  const issuerOf = (req?: FastifyRequest) => configuredIssuer ?? `https://${req?.headers.host ?? '127.0.0.1'}`;

  const sign = async (claims: JWTPayload, opts: SignOptions = {}): Promise<string> => {
    const key = current();
    const now = Math.floor(Date.now() / 1000);
    let jwt = new SignJWT({ ver: '2.0', tid: OIDC_TENANT_ID, ...claims })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: key.kid })
      .setIssuer(opts.issuer ?? issuerOf())
      .setIssuedAt(now)
      .setNotBefore(opts.notBefore ?? now)
      .setJti(randomUUID());
    if (!opts.withoutExpiry) jwt = jwt.setExpirationTime(now + (opts.expiresInS ?? TOKEN_LIFETIME_S));
    if (claims.aud === undefined) jwt = jwt.setAudience(audience);
    return jwt.sign(key.privateKey);
  };

  const rotate = (dropOld = false): string => {
    const key = newKey();
    keys = dropOld ? [key] : [...keys, key];
    return key.kid;
  };

  const oauthError = (error: string, description: string) => ({ error, error_description: description });

  return {
    name: 'oidc',
    get jwksFetches() {
      return fetches;
    },
    setIssuer: (url) => {
      configuredIssuer ??= url;
    },
    sign,
    rotate,
    jwks: () => ({ keys: keys.map((k) => k.publicJwk) }),
    register: (app) => {
      app.get('/.well-known/openid-configuration', async (req) => {
        const iss = issuerOf(req);
        return {
          issuer: iss,
          token_endpoint: `${iss}/oauth2/v2.0/token`,
          jwks_uri: `${iss}/discovery/v2.0/keys`,
          response_types_supported: ['token'],
          grant_types_supported: ['client_credentials'],
          subject_types_supported: ['pairwise'],
          id_token_signing_alg_values_supported: ['RS256'],
          token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
        };
      });
      app.get('/discovery/v2.0/keys', async () => {
        fetches += 1;
        return { keys: keys.map((k) => k.publicJwk) };
      });
      app.post('/oauth2/v2.0/token', async (req, reply) => {
        const body = (req.body ?? {}) as Record<string, unknown>;
        if (body['grant_type'] !== 'client_credentials') {
          return reply.status(400).send(oauthError('unsupported_grant_type', 'Only client_credentials is granted.'));
        }
        const { id, secret } = clientCredentials(req);
        const client = clients.find((c) => c.clientId === id);
        if (!client || client.secret !== secret) {
          return reply.status(401).send(oauthError('invalid_client', 'Unknown client or wrong secret.'));
        }
        const scope = typeof body['scope'] === 'string' ? body['scope'] : `${audience}/.default`;
        if (scope !== `${audience}/.default`) {
          return reply.status(400).send(oauthError('invalid_scope', `The only scope is ${audience}/.default.`));
        }
        // App-only token: the service principal's object id is stable per client, as Entra's `oid` is.
        const oid = createHash('sha256').update(client.clientId).digest('hex').slice(0, 32);
        const token = await sign(
          {
            azp: client.clientId,
            oid,
            sub: oid,
            roles: [...client.roles],
            publishers: [...client.publishers],
            idtyp: 'app',
          },
          { issuer: issuerOf(req) },
        );
        issued.add({ clientId: client.clientId, kid: current().kid, at: new Date().toISOString() });
        return {
          token_type: 'Bearer',
          expires_in: TOKEN_LIFETIME_S,
          ext_expires_in: TOKEN_LIFETIME_S,
          access_token: token,
        };
      });
      app.post('/_rotate', async (req) => {
        const kid = rotate((req.body as { dropOld?: unknown } | undefined)?.dropOld === true);
        return { kid, keys: keys.length };
      });
    },
    state: () => ({ issued: issued.all(), jwksFetches: fetches, kids: keys.map((k) => k.kid) }),
    reset: () => issued.reset(),
  };
}
