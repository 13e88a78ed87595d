import type { KafkaConfig, SASLOptions } from 'kafkajs';

/** Kafka's `security.protocol` values, spelled as the broker and the Java clients spell them. */
export const KAFKA_SECURITY_PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'] as const;
export type KafkaSecurityProtocol = (typeof KAFKA_SECURITY_PROTOCOLS)[number];

/** The SASL mechanisms leadflow speaks; SCRAM-SHA-512 is the one the docs and the local launcher use. */
export const KAFKA_SASL_MECHANISMS = ['SCRAM-SHA-512', 'SCRAM-SHA-256', 'PLAIN'] as const;
export type KafkaSaslMechanism = (typeof KAFKA_SASL_MECHANISMS)[number];

/** Who the client is, for a SASL listener. The password never reaches a log line: see `describeKafkaSecurity`. */
export interface KafkaSaslCredentials {
  readonly mechanism: KafkaSaslMechanism;
  readonly username: string;
  readonly password: string;
}

/** PEM material of a TLS connection: the CA to trust, and for mTLS the client's certificate and key. */
export interface KafkaTlsMaterial {
  /** Trusted CA(s); without it the system's roots are trusted. Verification is never turned off. */
  readonly caPem?: string;
  readonly certPem?: string;
  readonly keyPem?: string;
}

/**
 * How a client connects: the protocol, and the credentials and TLS material it needs. Built once from a service's
 * validated configuration (libs/service-config `kafkaSecurityConfig`); `PLAINTEXT` (the default) is the local stack.
 */
export interface KafkaSecurity {
  readonly protocol: KafkaSecurityProtocol;
  readonly sasl?: KafkaSaslCredentials;
  readonly tls?: KafkaTlsMaterial;
}

export const PLAINTEXT: KafkaSecurity = { protocol: 'PLAINTEXT' };

/** Thrown when a KafkaSecurity is incomplete: a SASL protocol without credentials, a certificate without its key. */
export class KafkaSecurityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KafkaSecurityError';
  }
}

const usesTls = (p: KafkaSecurityProtocol): boolean => p === 'SSL' || p === 'SASL_SSL';
const usesSasl = (p: KafkaSecurityProtocol): boolean => p === 'SASL_PLAINTEXT' || p === 'SASL_SSL';

function kafkajsSasl(c: KafkaSaslCredentials): SASLOptions {
  const { username, password } = c;
  switch (c.mechanism) {
    case 'SCRAM-SHA-512':
      return { mechanism: 'scram-sha-512', username, password };
    case 'SCRAM-SHA-256':
      return { mechanism: 'scram-sha-256', username, password };
    case 'PLAIN':
      return { mechanism: 'plain', username, password };
  }
}

/**
 * The kafkajs `ssl` and `sasl` options of a KafkaSecurity. The broker's certificate is always verified (against
 * `caPem` when given, else the system's roots), host name included: a TLS listener that anyone can impersonate
 * would hand it the SCRAM exchange and every lead.
 */
export function kafkajsSecurity(s: KafkaSecurity): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  if (usesSasl(s.protocol) && !s.sasl) throw new KafkaSecurityError(`${s.protocol} needs SASL credentials`);
  if (!usesSasl(s.protocol) && s.sasl) throw new KafkaSecurityError(`${s.protocol} takes no SASL credentials`);
  if (!usesTls(s.protocol) && s.tls) throw new KafkaSecurityError(`${s.protocol} takes no TLS material`);
  if (s.tls && (s.tls.certPem === undefined) !== (s.tls.keyPem === undefined))
    throw new KafkaSecurityError('a client certificate needs its key, and a key its certificate');
  const out: Pick<KafkaConfig, 'ssl' | 'sasl'> = {};
  if (usesTls(s.protocol)) {
    const t = s.tls ?? {};
    out.ssl = {
      rejectUnauthorized: true,
      ...(t.caPem !== undefined ? { ca: [t.caPem] } : {}),
      ...(t.certPem !== undefined ? { cert: t.certPem } : {}),
      ...(t.keyPem !== undefined ? { key: t.keyPem } : {}),
    };
  }
  if (s.sasl) out.sasl = kafkajsSasl(s.sasl);
  return out;
}

/** What a log line may say about a client's security: protocol, mechanism, user, whether mTLS. Never a secret. */
export function describeKafkaSecurity(s: KafkaSecurity): Record<string, string | boolean> {
  return {
    protocol: s.protocol,
    ...(s.sasl ? { mechanism: s.sasl.mechanism, principal: `User:${s.sasl.username}` } : {}),
    ...(usesTls(s.protocol) ? { mtls: s.tls?.certPem !== undefined, customCa: s.tls?.caPem !== undefined } : {}),
  };
}
