import { tokenDigest } from '@leadflow/access';
import { ConfigError, loadIngestConfig } from './ingest.config';

const KEY = Buffer.alloc(32, 7).toString('base64');
const base = {
  KAFKA_BROKERS: '127.0.0.1:9092, 127.0.0.1:9093',
  LEADFLOW_INGEST_TOKENS: 'p1,p2',
  LEADFLOW_ADMIN_TOKENS: 'a1',
  LEADFLOW_SECRET_KEYS: `k1:${KEY}`,
  LEADFLOW_URL_SIGNING_KEY: 'a-url-signing-key-of-length',
};

function configError(env: Record<string, string | undefined>): ConfigError {
  try {
    loadIngestConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadIngestConfig', () => {
  it('reads a minimal environment with the documented defaults', () => {
    const c = loadIngestConfig(base);
    expect(c).toMatchObject({
      kafkaBrokers: ['127.0.0.1:9092', '127.0.0.1:9093'],
      port: 8080,
      host: '127.0.0.1',
      publicUrl: 'http://127.0.0.1:8080',
      logLevel: 'info',
      produceLingerMs: 2,
      produceMaxBatch: 500,
      rateLimit: { max: 1_000, windowMs: 1_000 },
    });
    expect(c.keyring.activeKid).toBe('k1');
    expect(c.otlpTracesEndpoint).toBeUndefined();
    // The legacy plain-text lists are hashed at load: producer, and admin as operator.
    expect(c.staticTokens.map((t) => [t.roles, t.sha256])).toEqual([
      [['operator'], tokenDigest('a1')],
      [['producer'], tokenDigest('p1')],
      [['producer'], tokenDigest('p2')],
    ]);
    expect(JSON.stringify(c)).not.toMatch(/"(p1|p2|a1)"/);
    expect(c.oidc).toBeUndefined();
  });

  it('names every bad variable and never echoes a secret', () => {
    const err = configError({
      ...base,
      LEADFLOW_INGEST_PORT: 'eighty',
      LEADFLOW_SECRET_KEYS: 'k1:c2hvcnQ=',
      LEADFLOW_URL_SIGNING_KEY: 'short',
      LEADFLOW_LOG_LEVEL: 'loud',
    });
    expect(err.variables).toEqual(
      expect.arrayContaining([
        'LEADFLOW_INGEST_PORT',
        'LEADFLOW_SECRET_KEYS',
        'LEADFLOW_URL_SIGNING_KEY',
        'LEADFLOW_LOG_LEVEL',
      ]),
    );
    expect(err.message).toContain('LEADFLOW_SECRET_KEYS');
    expect(err.message).not.toContain('c2hvcnQ=');
    expect(err.message).not.toContain('short');
  });

  it('requires the brokers and some credential; empty values count as unset', () => {
    const err = configError({ ...base, KAFKA_BROKERS: undefined, LEADFLOW_ADMIN_TOKENS: ' , ' });
    expect(err.variables).toEqual(expect.arrayContaining(['KAFKA_BROKERS', 'LEADFLOW_ADMIN_TOKENS']));
    expect(err.message).toContain('KAFKA_BROKERS: is required');
    expect(err.message).toContain('LEADFLOW_ADMIN_TOKENS: at least one value is required');
    const none = configError({ ...base, LEADFLOW_ADMIN_TOKENS: '', LEADFLOW_INGEST_TOKENS: '' });
    expect(none.variables).toEqual(['LEADFLOW_OIDC_ISSUER', 'LEADFLOW_STATIC_TOKENS']);
  });

  it('reads static tokens as digests with roles and publishers', () => {
    const entries = [{ id: 'contoso', sha256: tokenDigest('c'), roles: ['publisher'], publishers: ['contoso'] }];
    const c = loadIngestConfig({
      ...base,
      LEADFLOW_INGEST_TOKENS: '',
      LEADFLOW_ADMIN_TOKENS: '',
      LEADFLOW_STATIC_TOKENS: JSON.stringify(entries),
    });
    expect(c.staticTokens).toEqual(entries);
    const bad = configError({
      ...base,
      LEADFLOW_STATIC_TOKENS: '[{"id":"x","sha256":"plain-secret","roles":["operator"]}]',
    });
    expect(bad.variables).toEqual(['LEADFLOW_STATIC_TOKENS']);
    expect(bad.message).not.toContain('plain-secret');
  });

  it('reads the OIDC issuer settings together, with asymmetric algorithms only', () => {
    const oidc = {
      LEADFLOW_OIDC_ISSUER: 'https://login.microsoftonline.com/7f3e5a1c-0b2d-4e6f-8a9b-1c2d3e4f5a6b/v2.0',
      LEADFLOW_OIDC_AUDIENCE: '11111111-2222-3333-4444-555555555555',
      LEADFLOW_OIDC_JWKS_URL:
        'https://login.microsoftonline.com/7f3e5a1c-0b2d-4e6f-8a9b-1c2d3e4f5a6b/discovery/v2.0/keys',
    };
    expect(loadIngestConfig({ ...base, ...oidc }).oidc).toEqual({
      issuer: oidc.LEADFLOW_OIDC_ISSUER,
      audience: [oidc.LEADFLOW_OIDC_AUDIENCE],
      jwksUrl: oidc.LEADFLOW_OIDC_JWKS_URL,
      algorithms: ['RS256'],
      clockToleranceS: 60,
      rolesClaim: 'roles',
      publishersClaim: 'publishers',
      jwksCooldownMs: 300_000,
      jwksMaxAgeMs: 3_600_000,
    });
    expect(configError({ ...base, ...oidc, LEADFLOW_OIDC_ALGORITHMS: 'RS256,HS256' }).variables).toEqual([
      'LEADFLOW_OIDC_ALGORITHMS',
    ]);
    expect(configError({ ...base, ...oidc, LEADFLOW_OIDC_ALGORITHMS: 'none' }).variables).toEqual([
      'LEADFLOW_OIDC_ALGORITHMS',
    ]);
    expect(configError({ ...base, ...oidc, LEADFLOW_OIDC_CLOCK_SKEW_S: '3600' }).variables).toEqual([
      'LEADFLOW_OIDC_CLOCK_SKEW_S',
    ]);
    expect(configError({ ...base, LEADFLOW_OIDC_ISSUER: oidc.LEADFLOW_OIDC_ISSUER }).variables).toContain(
      'LEADFLOW_OIDC_JWKS_URL',
    );
  });

  it('takes port, public URL and tracing endpoint from the environment', () => {
    const c = loadIngestConfig({
      ...base,
      LEADFLOW_INGEST_PORT: '9000',
      LEADFLOW_PUBLIC_URL: 'https://leads.example.com',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:4318/v1/traces',
    });
    expect(c.port).toBe(9000);
    expect(c.publicUrl).toBe('https://leads.example.com');
    expect(c.otlpTracesEndpoint).toBe('http://127.0.0.1:4318/v1/traces');
  });

  it('limits requests per credential unless LEADFLOW_RATE_LIMIT_MAX is 0', () => {
    expect(
      loadIngestConfig({ ...base, LEADFLOW_RATE_LIMIT_MAX: '50', LEADFLOW_RATE_LIMIT_WINDOW_MS: '60000' }).rateLimit,
    ).toEqual({ max: 50, windowMs: 60_000 });
    expect(loadIngestConfig({ ...base, LEADFLOW_RATE_LIMIT_MAX: '0' }).rateLimit).toBeUndefined();
    expect(configError({ ...base, LEADFLOW_RATE_LIMIT_MAX: '-1' }).variables).toEqual(['LEADFLOW_RATE_LIMIT_MAX']);
    expect(configError({ ...base, LEADFLOW_RATE_LIMIT_WINDOW_MS: '5' }).variables).toEqual([
      'LEADFLOW_RATE_LIMIT_WINDOW_MS',
    ]);
  });
});
