import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  applyAcls,
  createKafka,
  leadflowPrincipals,
  PLAINTEXT,
  type KafkaPrincipal,
  type KafkaSecurity,
} from '@leadflow/kafka';
import { KAFKA_ADMIN_USER, securityMaterial, type KafkaBrokerSecurity } from '@leadflow/local-infra';
import { SINK_SERVICES } from '@leadflow/sink-runtime';
import { kafkaBrokers, type StackConfig } from './stack.config';

/** Every principal of the stack and its ACLs: the model's definition over the sink catalog. */
export function stackPrincipals(): KafkaPrincipal[] {
  return leadflowPrincipals({ sinks: SINK_SERVICES });
}

/**
 * The secured broker's CA and SCRAM users (`LEADFLOW_KAFKA_SECURE=1`), kept beside its data: one user per
 * principal of the ACL definition, made when the data folder is formatted.
 */
export function stackKafkaSecurity(cfg: StackConfig): KafkaBrokerSecurity | undefined {
  if (!cfg.kafkaSecure) return undefined;
  return {
    dir: join(cfg.localDir, 'kafka', 'secure'),
    users: stackPrincipals().map((p) => p.name),
    clientAuth: cfg.kafkaMtls ? 'required' : 'none',
  };
}

/**
 * The KAFKA_* variables a process of the stack connects with, as `user`: nothing on the plaintext stack; on the
 * secured one SASL_SSL with the user's password file and the stack's CA (the way a Kubernetes secret is mounted).
 */
export function kafkaClientEnv(cfg: StackConfig, user: string): Record<string, string> {
  const security = stackKafkaSecurity(cfg);
  if (!security) return {};
  const m = securityMaterial(security.dir);
  return {
    KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
    KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
    KAFKA_SASL_USERNAME: user,
    KAFKA_SASL_PASSWORD_FILE: m.passwordFile(user),
    KAFKA_SSL_CA_FILE: m.caFile,
    ...(cfg.kafkaMtls
      ? { KAFKA_SSL_CERT_FILE: m.clientCertFile(user), KAFKA_SSL_KEY_FILE: m.clientKeyFile(user) }
      : {}),
  };
}

/** How the stack's own admin client (topics, ACLs) connects: as the broker's super user when secured. */
export function stackAdminSecurity(cfg: StackConfig): KafkaSecurity {
  const security = stackKafkaSecurity(cfg);
  if (!security) return PLAINTEXT;
  const m = securityMaterial(security.dir);
  return {
    protocol: 'SASL_SSL',
    sasl: { mechanism: 'SCRAM-SHA-512', username: KAFKA_ADMIN_USER, password: m.password(KAFKA_ADMIN_USER) },
    tls: {
      caPem: readFileSync(m.caFile, 'utf8'),
      ...(cfg.kafkaMtls
        ? {
            certPem: readFileSync(m.clientCertFile(KAFKA_ADMIN_USER), 'utf8'),
            keyPem: readFileSync(m.clientKeyFile(KAFKA_ADMIN_USER), 'utf8'),
          }
        : {}),
    },
  };
}

/** Creates every principal's ACLs on the secured stack (idempotent); returns how many ACL entries it sent. */
export async function applyStackAcls(cfg: StackConfig): Promise<number> {
  if (!cfg.kafkaSecure) return 0;
  const admin = createKafka({
    brokers: kafkaBrokers(cfg).split(','),
    clientId: 'leadflow-stack',
    security: stackAdminSecurity(cfg),
  }).admin();
  await admin.connect();
  try {
    return await applyAcls(admin, stackPrincipals());
  } finally {
    await admin.disconnect();
  }
}
