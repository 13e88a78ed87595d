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
      ingestTokens: ['p1', 'p2'],
      adminTokens: ['a1'],
      publicUrl: 'http://127.0.0.1:8080',
      logLevel: 'info',
      produceLingerMs: 2,
      produceMaxBatch: 500,
      rateLimit: { max: 1_000, windowMs: 1_000 },
    });
    expect(c.keyring.activeKid).toBe('k1');
    expect(c.otlpTracesEndpoint).toBeUndefined();
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

  it('requires the brokers and at least one token of each kind; empty values count as unset', () => {
    const err = configError({
      ...base,
      KAFKA_BROKERS: undefined,
      LEADFLOW_ADMIN_TOKENS: ' , ',
      LEADFLOW_INGEST_TOKENS: '',
    });
    expect(err.variables).toEqual(
      expect.arrayContaining(['KAFKA_BROKERS', 'LEADFLOW_ADMIN_TOKENS', 'LEADFLOW_INGEST_TOKENS']),
    );
    expect(err.message).toContain('KAFKA_BROKERS: is required');
    expect(err.message).toContain('LEADFLOW_ADMIN_TOKENS: at least one value is required');
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
