import { z } from 'zod';
import { ConfigError, envVar } from '@leadflow/service-config';
import { StaticTokensSchema, type StaticTokenEntry } from './static-tokens';
import { ASYMMETRIC_ALGORITHMS, type JwtSettings } from './jwt-verifier';

/**
 * The identity settings every surface that authenticates callers reads (ingest, console): signed JWTs from an
 * OpenID Connect issuer, and static tokens as SHA-256 digests. One schema, so the same variables mean the same thing
 * in every service's environment.
 */
export const IDENTITY_ENV = {
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
};

export type IdentityEnv = z.infer<z.ZodObject<typeof IDENTITY_ENV>>;

/** The JWT settings, or undefined when no issuer is configured; issuer, audience and JWKS URL go together. */
export function oidcSettings(e: IdentityEnv, service: string): JwtSettings | undefined {
  const issuer = e.LEADFLOW_OIDC_ISSUER;
  const given = [issuer, e.LEADFLOW_OIDC_AUDIENCE, e.LEADFLOW_OIDC_JWKS_URL].filter((v) => v !== undefined).length;
  if (given === 0) return undefined;
  if (!issuer || !e.LEADFLOW_OIDC_AUDIENCE || !e.LEADFLOW_OIDC_JWKS_URL) {
    const vars = ['LEADFLOW_OIDC_ISSUER', 'LEADFLOW_OIDC_AUDIENCE', 'LEADFLOW_OIDC_JWKS_URL'];
    throw new ConfigError(vars, `Invalid ${service} configuration: ${vars.join(', ')} are set together or not at all`);
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

/** Who a service admits: static token digests (plus any the service adds) and, optionally, an issuer's JWTs. */
export interface IdentitySettings {
  readonly staticTokens: readonly StaticTokenEntry[];
  readonly oidc?: JwtSettings;
}

/** The identity settings of a service; at least one way in is required (fail closed at start-up). */
export function identitySettings(
  e: IdentityEnv,
  service: string,
  extraTokens: readonly StaticTokenEntry[] = [],
): IdentitySettings {
  const staticTokens = [...(e.LEADFLOW_STATIC_TOKENS ?? []), ...extraTokens];
  const oidc = oidcSettings(e, service);
  if (staticTokens.length === 0 && !oidc) {
    throw new ConfigError(
      ['LEADFLOW_OIDC_ISSUER', 'LEADFLOW_STATIC_TOKENS'],
      `Invalid ${service} configuration: no credentials; set LEADFLOW_OIDC_ISSUER (with audience and JWKS URL) or LEADFLOW_STATIC_TOKENS`,
    );
  }
  return { staticTokens, ...(oidc ? { oidc } : {}) };
}
