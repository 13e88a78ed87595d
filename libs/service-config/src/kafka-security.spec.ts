import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kafkajsSecurity } from '@leadflow/kafka';
import { ConfigError, kafkaSecurityFromEnv } from './index';

const PASSWORD = 'scram-secret-Xy9';
let dir: string;
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text, { mode: 0o600 });
  return p;
};

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kafka-security-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function refusal(env: Record<string, string>): ConfigError {
  try {
    kafkaSecurityFromEnv(env, 'test');
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('accepted');
}

describe('Kafka security configuration', () => {
  it('stays plaintext by default (the local stack)', () => {
    expect(kafkaSecurityFromEnv({}, 'test')).toEqual({ protocol: 'PLAINTEXT' });
    expect(kafkajsSecurity(kafkaSecurityFromEnv({}, 'test'))).toEqual({});
  });

  it('reads SCRAM credentials from files (the trailing newline of `echo` dropped) and the CA, and verifies the broker', () => {
    const security = kafkaSecurityFromEnv(
      {
        KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
        KAFKA_SASL_USERNAME_FILE: file('user', 'router\n'),
        KAFKA_SASL_PASSWORD_FILE: file('password', `${PASSWORD}\n`),
        KAFKA_SSL_CA_FILE: file('ca.pem', '-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n'),
      },
      'test',
    );
    expect(security).toEqual({
      protocol: 'SASL_SSL',
      sasl: { mechanism: 'SCRAM-SHA-512', username: 'router', password: PASSWORD },
      tls: { caPem: '-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n' },
    });
    expect(kafkajsSecurity(security)).toEqual({
      ssl: { rejectUnauthorized: true, ca: ['-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n'] },
      sasl: { mechanism: 'scram-sha-512', username: 'router', password: PASSWORD },
    });
  });

  it('takes credentials from the environment too, any case of protocol and mechanism, and mTLS material', () => {
    const security = kafkaSecurityFromEnv(
      {
        KAFKA_SECURITY_PROTOCOL: 'sasl_ssl',
        KAFKA_SASL_MECHANISM: 'scram-sha-256',
        KAFKA_SASL_USERNAME: 'ingest',
        KAFKA_SASL_PASSWORD: PASSWORD,
        KAFKA_SSL_CERT_FILE: file('cert.pem', 'CERT'),
        KAFKA_SSL_KEY_FILE: file('key.pem', 'KEY'),
      },
      'test',
    );
    expect(kafkajsSecurity(security)).toEqual({
      ssl: { rejectUnauthorized: true, cert: 'CERT', key: 'KEY' },
      sasl: { mechanism: 'scram-sha-256', username: 'ingest', password: PASSWORD },
    });
  });

  it('refuses what would connect wrongly, naming each variable and never a secret', () => {
    const saslWithoutUser = refusal({ KAFKA_SECURITY_PROTOCOL: 'SASL_SSL', KAFKA_SASL_PASSWORD: PASSWORD });
    expect(saslWithoutUser.variables).toEqual(['KAFKA_SASL_USERNAME']);

    // Credentials beside PLAINTEXT would be ignored and the leads sent in the clear: refused.
    const plaintextWithCredentials = refusal({ KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: PASSWORD });
    expect([...plaintextWithCredentials.variables].sort()).toEqual(['KAFKA_SASL_PASSWORD', 'KAFKA_SASL_USERNAME']);

    const both = refusal({
      KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
      KAFKA_SASL_USERNAME: 'u',
      KAFKA_SASL_PASSWORD: PASSWORD,
      KAFKA_SASL_PASSWORD_FILE: file('pw', PASSWORD),
    });
    expect(both.variables).toEqual(['KAFKA_SASL_PASSWORD']);

    const missingFile = refusal({
      KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
      KAFKA_SASL_USERNAME: 'u',
      KAFKA_SASL_PASSWORD_FILE: join(dir, 'absent'),
    });
    expect(missingFile.variables).toEqual(['KAFKA_SASL_PASSWORD_FILE']);
    expect(missingFile.message).toContain('ENOENT');

    const halfMtls = refusal({ KAFKA_SECURITY_PROTOCOL: 'SSL', KAFKA_SSL_CERT_FILE: file('c', 'CERT') });
    expect(halfMtls.variables).toEqual(['KAFKA_SSL_KEY_FILE']);

    const badProtocol = refusal({ KAFKA_SECURITY_PROTOCOL: 'SASL_SSL_PLEASE' });
    expect(badProtocol.variables).toEqual(['KAFKA_SECURITY_PROTOCOL']);

    for (const err of [saslWithoutUser, plaintextWithCredentials, both, missingFile, halfMtls, badProtocol])
      expect(err.message).not.toContain(PASSWORD);
  });
});
