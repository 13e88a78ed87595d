import { hostname } from 'node:os';
import { z } from 'zod';
import { ConfigError, envVar, loadEnv, SERVICE_ENV, serviceConfig, type ServiceConfig } from '@leadflow/service-config';

/** The router's configuration, read once from the environment and validated (the only reader of process.env). */
export interface RouterConfig extends ServiceConfig {
  /** Port of the ops server (/healthz, /readyz, /metrics). */
  readonly port: number;
  /** Names this instance in logs and its Kafka client id. */
  readonly instanceId: string;
  /**
   * Prepended to every topic, consumer group and transactional id the router uses (empty in
   * production). Gives a test or a shared development cluster a namespace of its own.
   */
  readonly topicPrefix: string;
  /**
   * A partition's transactions start at least this far apart: a batch that committed sooner waits out the rest
   * before the next fetch, so a busy partition's next transaction carries what arrived meanwhile (see
   * TransactionalBatches). 0 writes one transaction per fetched batch, however small.
   */
  readonly transactionIntervalMs: number;
}

const EnvSchema = z.object({
  ...SERVICE_ENV,
  LEADFLOW_ROUTER_PORT: envVar.port(8081),
  LEADFLOW_INSTANCE_ID: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,100}$/, "must be 1-100 letters, digits, '.', '_' or '-'")
    .optional(),
  LEADFLOW_TOPIC_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9._-]{0,100}$/, "must be letters, digits, '.', '_' or '-' (it is part of topic names)")
    .default(''),
  LEADFLOW_ROUTER_TRANSACTION_INTERVAL_MS: envVar.int(0, 1_000, 30),
});

export { ConfigError };

export function loadRouterConfig(env: Readonly<Record<string, string | undefined>> = process.env): RouterConfig {
  const e = loadEnv(EnvSchema, env, 'router');
  return {
    ...serviceConfig(e),
    port: e.LEADFLOW_ROUTER_PORT,
    instanceId: e.LEADFLOW_INSTANCE_ID ?? hostname(),
    topicPrefix: e.LEADFLOW_TOPIC_PREFIX,
    transactionIntervalMs: e.LEADFLOW_ROUTER_TRANSACTION_INTERVAL_MS,
  };
}
