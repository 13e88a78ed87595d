import { z } from 'zod';
import { IDENTITY_ENV, identitySettings, tokenDigest, type JwtSettings, type StaticTokenEntry } from '@leadflow/access';
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
  /** Whether this instance counts receipts and dead letters into `offers.status` (its share of the partitions). */
  readonly statusAggregator: boolean;
}

const EnvSchema = z.object({
  ...SERVICE_ENV,
  LEADFLOW_INGEST_PORT: envVar.port(8080),
  // Legacy plain-text lists (producer; admin = operator). Prefer LEADFLOW_STATIC_TOKENS: digests only at rest.
  LEADFLOW_INGEST_TOKENS: envVar.list().optional(),
  LEADFLOW_ADMIN_TOKENS: envVar.list().optional(),
  ...IDENTITY_ENV,
  LEADFLOW_SECRET_KEYS: envVar.keyring(),
  LEADFLOW_URL_SIGNING_KEY: z.string().min(16, 'must be at least 16 characters'),
  LEADFLOW_PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  LEADFLOW_PRODUCE_LINGER_MS: envVar.int(0, 1_000, 2),
  LEADFLOW_PRODUCE_MAX_BATCH: envVar.int(1, 10_000, 500),
  // Per credential (each token; each offer's signed URL). 0 turns rate limiting off.
  LEADFLOW_RATE_LIMIT_MAX: envVar.int(0, 10_000_000, 1_000),
  LEADFLOW_RATE_LIMIT_WINDOW_MS: envVar.int(100, 3_600_000, 1_000),
  // 'false': this instance only reads offers.status (another process counts; tests, a read-only replica).
  LEADFLOW_STATUS_AGGREGATOR: z.enum(['true', 'false']).default('true'),
});

export { ConfigError };

/** A legacy plain-text token as a digest entry; its id is a digest prefix, so the token never reaches a log. */
function legacyEntry(token: string, role: 'producer' | 'operator'): StaticTokenEntry {
  const sha256 = tokenDigest(token);
  return { id: `${role}-${sha256.slice(0, 12)}`, sha256, roles: [role], publishers: [] };
}

export function loadIngestConfig(env: Readonly<Record<string, string | undefined>> = process.env): IngestConfig {
  const e = loadEnv(EnvSchema, env, 'ingest');
  const { staticTokens, oidc } = identitySettings(e, 'ingest', [
    ...(e.LEADFLOW_ADMIN_TOKENS ?? []).map((t) => legacyEntry(t, 'operator')),
    ...(e.LEADFLOW_INGEST_TOKENS ?? []).map((t) => legacyEntry(t, 'producer')),
  ]);
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
    statusAggregator: e.LEADFLOW_STATUS_AGGREGATOR === 'true',
    ...(e.LEADFLOW_RATE_LIMIT_MAX > 0
      ? { rateLimit: { max: e.LEADFLOW_RATE_LIMIT_MAX, windowMs: e.LEADFLOW_RATE_LIMIT_WINDOW_MS } }
      : {}),
  };
}
