import { describeKafkaSecurity, kafkajsSecurity, KafkaSecurityError, type KafkaSecurity } from './index';

const sasl = { mechanism: 'SCRAM-SHA-512', username: 'router', password: 'pw-Secret-1' } as const;

describe('kafkajsSecurity', () => {
  it('maps each protocol to kafkajs options, always verifying the broker', () => {
    expect(kafkajsSecurity({ protocol: 'PLAINTEXT' })).toEqual({});
    expect(kafkajsSecurity({ protocol: 'SSL' })).toEqual({ ssl: { rejectUnauthorized: true } });
    expect(kafkajsSecurity({ protocol: 'SASL_PLAINTEXT', sasl })).toEqual({
      sasl: { mechanism: 'scram-sha-512', username: 'router', password: 'pw-Secret-1' },
    });
    expect(
      kafkajsSecurity({ protocol: 'SASL_SSL', sasl: { ...sasl, mechanism: 'PLAIN' }, tls: { caPem: 'CA' } }),
    ).toEqual({
      ssl: { rejectUnauthorized: true, ca: ['CA'] },
      sasl: { mechanism: 'plain', username: 'router', password: 'pw-Secret-1' },
    });
  });

  it('refuses a security that would not connect as meant', () => {
    const refused: KafkaSecurity[] = [
      { protocol: 'SASL_SSL' },
      { protocol: 'PLAINTEXT', sasl },
      { protocol: 'SASL_PLAINTEXT', sasl, tls: { caPem: 'CA' } },
      { protocol: 'SSL', tls: { certPem: 'CERT' } },
    ];
    for (const s of refused) expect(() => kafkajsSecurity(s)).toThrow(KafkaSecurityError);
  });

  it('describes a client for a log line without its password', () => {
    const described = describeKafkaSecurity({ protocol: 'SASL_SSL', sasl, tls: { certPem: 'C', keyPem: 'K' } });
    expect(described).toEqual({
      protocol: 'SASL_SSL',
      mechanism: 'SCRAM-SHA-512',
      principal: 'User:router',
      mtls: true,
      customCa: false,
    });
    expect(JSON.stringify(described)).not.toContain('pw-Secret-1');
  });
});
