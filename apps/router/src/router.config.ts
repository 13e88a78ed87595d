import { hostname } from 'node:os';
import { z } from 'zod';

/** The router's configuration, read once from the environment and validated (the only reader of process.env). */
export interface RouterConfig {
  readonly kafkaBrokers: readonly string[];
  /** Port of the ops server (/healthz, /readyz, /metrics). */
  readonly port: number;
  readonly host: string;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Names this instance in logs and its Kafka client id. */
  readonly instanceId: string;
  readonly otlpTracesEndpoint?: string;
  /**
   * Prepended to every topic, consumer group and transactional id the router uses (empty in
   * production). Gives a test or a shared development cluster a namespace of its own.
   */
  readonly topicPrefix: string;
  /** Graceful shutdown deadline: the in-flight transaction must commit or abort within it. */
  readonly shutdownTimeoutMs: number;
}

const list = z
  .string()
  .transform((s) => s.split(',').map((t) => t.trim()).filter((t) => t.length > 0))
  .pipe(z.array(z.string()).min(1, 'at least one value is required'));

const int = (min: number, max: number, fallback: number) => z.coerce.number().int().min(min).max(max).default(fallback);

const EnvSchema = z.object({
  KAFKA_BROKERS: list,
  LEADFLOW_ROUTER_PORT: int(0, 65_535, 8081),
  LEADFLOW_HOST: z.string().min(1).default('127.0.0.1'),
  LEADFLOW_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LEADFLOW_INSTANCE_ID: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,100}$/, "must be 1-100 letters, digits, '.', '_' or '-'")
    .optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.url().optional(),
  LEADFLOW_TOPIC_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9._-]{0,100}$/, "must be letters, digits, '.', '_' or '-' (it is part of topic names)")
    .default(''),
  LEADFLOW_SHUTDOWN_TIMEOUT_MS: int(1_000, 600_000, 20_000),
});

/** Thrown at start-up; the message names every bad variable and never echoes a value. */
export class ConfigError extends Error {
  constructor(
    readonly variables: readonly string[],
    message: string,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Empty strings count as unset, so `FOO=` in a shell falls back to the default. */
function present(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') out[k] = v;
  return out;
}

export function loadRouterConfig(env: Readonly<Record<string, string | undefined>> = process.env): RouterConfig {
  const parsed = EnvSchema.safeParse(present(env));
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ variable: String(i.path[0] ?? '(environment)'), message: i.message }));
    const variables = [...new Set(issues.map((i) => i.variable))];
    throw new ConfigError(variables, `Invalid router configuration: ${issues.map((i) => `${i.variable}: ${i.message}`).join('; ')}`);
  }
  const e = parsed.data;
  return {
    kafkaBrokers: e.KAFKA_BROKERS,
    port: e.LEADFLOW_ROUTER_PORT,
    host: e.LEADFLOW_HOST,
    logLevel: e.LEADFLOW_LOG_LEVEL,
    instanceId: e.LEADFLOW_INSTANCE_ID ?? hostname(),
    ...(e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ? { otlpTracesEndpoint: e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT } : {}),
    topicPrefix: e.LEADFLOW_TOPIC_PREFIX,
    shutdownTimeoutMs: e.LEADFLOW_SHUTDOWN_TIMEOUT_MS,
  };
}
