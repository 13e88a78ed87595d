import { z } from 'zod';
import {
  ASYMMETRIC_ALGORITHMS,
  StaticTokensSchema,
  tokenDigest,
  type JwtSettings,
  type StaticTokenEntry,
} from '@leadflow/access';
import type { Keyring } from '@leadflow/offer-table';
import { ConfigError, envVar, loadEnv, SERVICE_ENV, serviceConfig, type ServiceConfig } from '@leadflow/service-config';

/** The ingest's configuration, read once from the environment and validated (the only reader of process.env). */
export interface IngestConfig extends ServiceConfig {
  readonly port: number;
  /** Static bearer tokens, as digests: LEADFLOW_STATIC_TOKENS plus the legacy plain-text lists, hashed at load. */
  readonly staticTokens: readonly StaticTokenEntry[];
  /** Signed JWTs from an OpenID Connect issuer; undefined when only static tokens are accepted. */
  readonly oidc?: JwtSettings;
  readonly keyring: Keyring;
  readonly urlSigningKey: string;
  /** Base of the signed lead URLs handed to publishers. */
  readonly publicUrl: string;
  /** How long a single lead waits for others to share its produce request. */
  readonly produceLingerMs: number;
  /** Most single leads in one produce request. */
  readonly produceMaxBatch: number;
  /** Requests each credential may make per window; undefined when rate limiting is off. */
  readonly rateLimit?: { readonly max: number; readonly windowMs: number };
}

const EnvSchema = z.object({
  ...SERVICE_ENV,
  LEADFLOW_INGEST_PORT: envVar.port(8080),
  // Legacy plain-text lists (producer; admin = operator). Prefer LEADFLOW_STATIC_TOKENS: digests only at rest.
  LEADFLOW_INGEST_TOKENS: envVar.list().optional(),
  LEADFLOW_ADMIN_TOKENS: envVar.list().optional(),
  LEADFLOW_STATIC_TOKENS: StaticTokensSchema.optional(),
  LEADFLOW_OIDC_ISSUER: z.url({ protocol: /^https?$/ }).optional(),
  LEADFLOW_OIDC_AUDIENCE: envVar.list().optional(),
  LEADFLOW_OIDC_JWKS_URL: z.url({ protocol: /^https?$/ }).optional(),
  // Asymmetric only: `none` and HMAC (HS*) are not in the enum, so they fail at start-up.
  LEADFLOW_OIDC_ALGORITHMS: envVar
    .list()
    .pipe(z.array(z.enum(ASYMMETRIC_ALGORITHMS, { message: `one of ${ASYMMETRIC_ALGORITHMS.join(', ')}` })))
    .default(['RS256']),
  LEADFLOW_OIDC_CLOCK_SKEW_S: envVar.int(0, 300, 60),
  LEADFLOW_OIDC_ROLES_CLAIM: z.string().min(1).default('roles'),
  LEADFLOW_OIDC_PUBLISHERS_CLAIM: z.string().min(1).default('publishers'),
  // Entra's guidance: refetch the keys for an unknown kid no more than once per 5 minutes.
  LEADFLOW_OIDC_JWKS_COOLDOWN_MS: envVar.int(0, 3_600_000, 300_000),
  LEADFLOW_OIDC_JWKS_MAX_AGE_MS: envVar.int(1_000, 86_400_000, 3_600_000),
  LEADFLOW_SECRET_KEYS: envVar.keyring(),
  LEADFLOW_URL_SIGNING_KEY: z.string().min(16, 'must be at least 16 characters'),
  LEADFLOW_PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  LEADFLOW_PRODUCE_LINGER_MS: envVar.int(0, 1_000, 2),
  LEADFLOW_PRODUCE_MAX_BATCH: envVar.int(1, 10_000, 500),
  // Per credential (each token; each offer's signed URL). 0 turns rate limiting off.
  LEADFLOW_RATE_LIMIT_MAX: envVar.int(0, 10_000_000, 1_000),
  LEADFLOW_RATE_LIMIT_WINDOW_MS: envVar.int(100, 3_600_000, 1_000),
});

export { ConfigError };

/** A legacy plain-text token as a digest entry; its id is a digest prefix, so the token never reaches a log. */
function legacyEntry(token: string, role: 'producer' | 'operator'): StaticTokenEntry {
  const sha256 = tokenDigest(token);
  return { id: `${role}-${sha256.slice(0, 12)}`, sha256, roles: [role], publishers: [] };
}

function oidcSettings(e: z.infer<typeof EnvSchema>): JwtSettings | undefined {
  const issuer = e.LEADFLOW_OIDC_ISSUER;
  const given = [issuer, e.LEADFLOW_OIDC_AUDIENCE, e.LEADFLOW_OIDC_JWKS_URL].filter((v) => v !== undefined).length;
  if (given === 0) return undefined;
  if (!issuer || !e.LEADFLOW_OIDC_AUDIENCE || !e.LEADFLOW_OIDC_JWKS_URL) {
    const vars = ['LEADFLOW_OIDC_ISSUER', 'LEADFLOW_OIDC_AUDIENCE', 'LEADFLOW_OIDC_JWKS_URL'];
    throw new ConfigError(vars, `Invalid ingest configuration: ${vars.join(', ')} are set together or not at all`);
  }
  return {
    issuer,
    audience: e.LEADFLOW_OIDC_AUDIENCE,
    jwksUrl: e.LEADFLOW_OIDC_JWKS_URL,
    algorithms: e.LEADFLOW_OIDC_ALGORITHMS,
    clockToleranceS: e.LEADFLOW_OIDC_CLOCK_SKEW_S,
    rolesClaim: e.LEADFLOW_OIDC_ROLES_CLAIM,
    publishersClaim: e.LEADFLOW_OIDC_PUBLISHERS_CLAIM,
    jwksCooldownMs: e.LEADFLOW_OIDC_JWKS_COOLDOWN_MS,
    jwksMaxAgeMs: e.LEADFLOW_OIDC_JWKS_MAX_AGE_MS,
  };
}

export function loadIngestConfig(env: Readonly<Record<string, string | undefined>> = process.env): IngestConfig {
  const e = loadEnv(EnvSchema, env, 'ingest');
  const staticTokens = [
    ...(e.LEADFLOW_STATIC_TOKENS ?? []),
    ...(e.LEADFLOW_ADMIN_TOKENS ?? []).map((t) => legacyEntry(t, 'operator')),
    ...(e.LEADFLOW_INGEST_TOKENS ?? []).map((t) => legacyEntry(t, 'producer')),
  ];
  const oidc = oidcSettings(e);
  if (staticTokens.length === 0 && !oidc) {
    throw new ConfigError(
      ['LEADFLOW_OIDC_ISSUER', 'LEADFLOW_STATIC_TOKENS'],
      'Invalid ingest configuration: no credentials; set LEADFLOW_OIDC_ISSUER (with audience and JWKS URL) or LEADFLOW_STATIC_TOKENS',
    );
  }
  return {
    ...serviceConfig(e),
    port: e.LEADFLOW_INGEST_PORT,
    staticTokens,
    ...(oidc ? { oidc } : {}),
    keyring: e.LEADFLOW_SECRET_KEYS,
    urlSigningKey: e.LEADFLOW_URL_SIGNING_KEY,
    publicUrl: e.LEADFLOW_PUBLIC_URL ?? `http://127.0.0.1:${e.LEADFLOW_INGEST_PORT}`,
    produceLingerMs: e.LEADFLOW_PRODUCE_LINGER_MS,
    produceMaxBatch: e.LEADFLOW_PRODUCE_MAX_BATCH,
    ...(e.LEADFLOW_RATE_LIMIT_MAX > 0
      ? { rateLimit: { max: e.LEADFLOW_RATE_LIMIT_MAX, windowMs: e.LEADFLOW_RATE_LIMIT_WINDOW_MS } }
      : {}),
  };
}
