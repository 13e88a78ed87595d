import { z } from 'zod';
import { ConfigError, envVar, loadEnv, SERVICE_ENV, serviceConfig } from './index';

const schema = z.object({ ...SERVICE_ENV, LEADFLOW_X_PORT: envVar.port(8099), LEADFLOW_SECRET_KEYS: envVar.keyring() });
const key = Buffer.alloc(32, 7).toString('base64');

describe('loadEnv', () => {
  it('applies defaults, treats empty as unset, and derives the common settings', () => {
    const e = loadEnv(
      schema,
      { KAFKA_BROKERS: 'a:1, b:2', LEADFLOW_LOG_LEVEL: '', LEADFLOW_SECRET_KEYS: `k1:${key}` },
      'test',
    );
    expect(e.LEADFLOW_X_PORT).toBe(8099);
    expect(serviceConfig(e)).toEqual({
      kafkaBrokers: ['a:1', 'b:2'],
      host: '127.0.0.1',
      logLevel: 'info',
      shutdownTimeoutMs: 20_000,
      kafkaSecurity: { protocol: 'PLAINTEXT' },
    });
    expect(e.LEADFLOW_SECRET_KEYS.activeKid).toBe('k1');
  });

  it('names every bad variable and never echoes a value', () => {
    let err: unknown;
    try {
      loadEnv(schema, { LEADFLOW_X_PORT: 'eighty', LEADFLOW_SECRET_KEYS: 'k1:c2VjcmV0LXZhbHVl' }, 'test');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect([...(err as ConfigError).variables].sort()).toEqual([
      'KAFKA_BROKERS',
      'LEADFLOW_SECRET_KEYS',
      'LEADFLOW_X_PORT',
    ]);
    expect((err as ConfigError).message).toContain('KAFKA_BROKERS: is required');
    expect((err as ConfigError).message).not.toContain('c2VjcmV0LXZhbHVl');
    expect((err as ConfigError).message).not.toContain('eighty');
  });
});
