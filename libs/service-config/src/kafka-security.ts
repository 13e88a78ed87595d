import { readFileSync } from 'node:fs';
import { z } from 'zod';
import {
  KAFKA_SASL_MECHANISMS,
  KAFKA_SECURITY_PROTOCOLS,
  type KafkaSaslMechanism,
  type KafkaSecurity,
  type KafkaSecurityProtocol,
} from '@leadflow/kafka';
import { ConfigError } from './config-error';
import { loadEnv } from './load-env';

const path = z.string().min(1);

/**
 * How a service reaches Kafka securely, in Kafka's own vocabulary (`security.protocol`, `sasl.mechanism`). Secrets
 * come from the environment or, better, from files (`*_FILE`: a mounted Kubernetes secret), never from both.
 */
export const KAFKA_SECURITY_ENV = {
  KAFKA_SECURITY_PROTOCOL: z
    .string()
    .transform((s) => s.toUpperCase())
    .pipe(z.enum(KAFKA_SECURITY_PROTOCOLS))
    .default('PLAINTEXT'),
  KAFKA_SASL_MECHANISM: z
    .string()
    .transform((s) => s.toUpperCase())
    .pipe(z.enum(KAFKA_SASL_MECHANISMS))
    .default('SCRAM-SHA-512'),
  KAFKA_SASL_USERNAME: z.string().min(1).optional(),
  KAFKA_SASL_USERNAME_FILE: path.optional(),
  KAFKA_SASL_PASSWORD: z.string().min(1).optional(),
  KAFKA_SASL_PASSWORD_FILE: path.optional(),
  /** PEM of the CA(s) that signed the brokers' certificates; without it the system's roots are trusted. */
  KAFKA_SSL_CA_FILE: path.optional(),
  /** mTLS: the client's certificate (PEM) and its unencrypted private key (PEM, PKCS#8 or PKCS#1). */
  KAFKA_SSL_CERT_FILE: path.optional(),
  KAFKA_SSL_KEY_FILE: path.optional(),
};

/** The parsed KAFKA_SECURITY_ENV variables (what `loadEnv` returns for them). */
export interface KafkaSecurityEnv {
  readonly KAFKA_SECURITY_PROTOCOL: KafkaSecurityProtocol;
  readonly KAFKA_SASL_MECHANISM: KafkaSaslMechanism;
  readonly KAFKA_SASL_USERNAME?: string | undefined;
  readonly KAFKA_SASL_USERNAME_FILE?: string | undefined;
  readonly KAFKA_SASL_PASSWORD?: string | undefined;
  readonly KAFKA_SASL_PASSWORD_FILE?: string | undefined;
  readonly KAFKA_SSL_CA_FILE?: string | undefined;
  readonly KAFKA_SSL_CERT_FILE?: string | undefined;
  readonly KAFKA_SSL_KEY_FILE?: string | undefined;
}

export type ReadSecretFile = (path: string) => string;
const readUtf8: ReadSecretFile = (p) => readFileSync(p, 'utf8');

type Issue = { readonly variable: string; readonly message: string };

/**
 * Resolves the security variables into the KafkaSecurity the client is built from: files read once, here, at start.
 * Every inconsistency (SASL without a user, a user on a PLAINTEXT listener, a certificate without its key, an
 * unreadable file) is a ConfigError naming the variables; no message ever holds a value read from a secret.
 */
export function kafkaSecurityConfig(e: KafkaSecurityEnv, read: ReadSecretFile = readUtf8): KafkaSecurity {
  const issues: Issue[] = [];
  const protocol = e.KAFKA_SECURITY_PROTOCOL;
  const sasl = protocol === 'SASL_SSL' || protocol === 'SASL_PLAINTEXT';
  const tls = protocol === 'SSL' || protocol === 'SASL_SSL';

  const file = (variable: keyof KafkaSecurityEnv, trim: 'line' | 'all' | 'none'): string | undefined => {
    const p = e[variable];
    if (p === undefined) return undefined;
    try {
      const text = read(p);
      // A secret file written by `echo` ends in a newline that is not part of the secret.
      const value = trim === 'all' ? text.trim() : trim === 'line' ? text.replace(/\r?\n$/, '') : text;
      if (value.length === 0) issues.push({ variable, message: `${p} is empty` });
      return value;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
      issues.push({ variable, message: `cannot read ${p} (${code})` });
      return undefined;
    }
  };
  const either = (direct: 'KAFKA_SASL_USERNAME' | 'KAFKA_SASL_PASSWORD', trim: 'line' | 'all'): string | undefined => {
    const fileVariable = `${direct}_FILE` as const;
    if (e[direct] !== undefined && e[fileVariable] !== undefined) {
      issues.push({ variable: direct, message: `set ${direct} or ${fileVariable}, not both` });
      return undefined;
    }
    return e[direct] ?? file(fileVariable, trim);
  };

  const saslVariables = [
    'KAFKA_SASL_USERNAME',
    'KAFKA_SASL_USERNAME_FILE',
    'KAFKA_SASL_PASSWORD',
    'KAFKA_SASL_PASSWORD_FILE',
  ] as const;
  const tlsVariables = ['KAFKA_SSL_CA_FILE', 'KAFKA_SSL_CERT_FILE', 'KAFKA_SSL_KEY_FILE'] as const;
  // Credentials beside a protocol that would not use them are a mistake that would silently send plaintext.
  if (!sasl)
    for (const v of saslVariables)
      if (e[v] !== undefined) issues.push({ variable: v, message: `KAFKA_SECURITY_PROTOCOL ${protocol} uses no SASL` });
  if (!tls)
    for (const v of tlsVariables)
      if (e[v] !== undefined) issues.push({ variable: v, message: `KAFKA_SECURITY_PROTOCOL ${protocol} uses no TLS` });

  let credentials: KafkaSecurity['sasl'];
  if (sasl) {
    const username = either('KAFKA_SASL_USERNAME', 'all');
    const password = either('KAFKA_SASL_PASSWORD', 'line');
    if (e.KAFKA_SASL_USERNAME === undefined && e.KAFKA_SASL_USERNAME_FILE === undefined)
      issues.push({ variable: 'KAFKA_SASL_USERNAME', message: `is required with ${protocol}` });
    if (e.KAFKA_SASL_PASSWORD === undefined && e.KAFKA_SASL_PASSWORD_FILE === undefined)
      issues.push({ variable: 'KAFKA_SASL_PASSWORD', message: `is required with ${protocol}` });
    if (username && password) credentials = { mechanism: e.KAFKA_SASL_MECHANISM, username, password };
  }

  let material: KafkaSecurity['tls'];
  if (tls) {
    if ((e.KAFKA_SSL_CERT_FILE === undefined) !== (e.KAFKA_SSL_KEY_FILE === undefined)) {
      const missing = e.KAFKA_SSL_CERT_FILE === undefined ? 'KAFKA_SSL_CERT_FILE' : 'KAFKA_SSL_KEY_FILE';
      issues.push({ variable: missing, message: 'mTLS needs both KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE' });
    }
    const caPem = file('KAFKA_SSL_CA_FILE', 'none');
    const certPem = file('KAFKA_SSL_CERT_FILE', 'none');
    const keyPem = file('KAFKA_SSL_KEY_FILE', 'none');
    material = {
      ...(caPem !== undefined ? { caPem } : {}),
      ...(certPem !== undefined ? { certPem } : {}),
      ...(keyPem !== undefined ? { keyPem } : {}),
    };
  }

  if (issues.length > 0) {
    const variables = [...new Set(issues.map((i) => i.variable))];
    throw new ConfigError(
      variables,
      `Invalid Kafka security configuration: ${issues.map((i) => `${i.variable}: ${i.message}`).join('; ')}`,
    );
  }
  return {
    protocol,
    ...(credentials ? { sasl: credentials } : {}),
    ...(material && Object.keys(material).length > 0 ? { tls: material } : {}),
  };
}

/**
 * The security settings alone, straight from an environment: for a tool without a service schema of its own
 * (leadctl, the stack's admin client). Throws ConfigError like `loadEnv`.
 */
export function kafkaSecurityFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  tool: string,
  read?: ReadSecretFile,
): KafkaSecurity {
  return kafkaSecurityConfig(loadEnv(z.object(KAFKA_SECURITY_ENV), env, tool), read);
}
