import { z } from 'zod';
import type { KafkaSecurity } from '@leadflow/kafka';
import { parseKeyring } from '@leadflow/offer-table';
import { ConfigError } from './config-error';
import { KAFKA_SECURITY_ENV, kafkaSecurityConfig, type KafkaSecurityEnv, type ReadSecretFile } from './kafka-security';

export { ConfigError };

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Building blocks of a service's environment schema (each variable is a string in the environment). */
export const envVar = {
  /** Comma-separated, at least one value. */
  list: () =>
    z
      .string()
      .transform((s) =>
        s
          .split(',')
          .map((t) => t.trim())
          .filter((t) => t.length > 0),
      )
      .pipe(z.array(z.string()).min(1, 'at least one value is required')),
  int: (min: number, max: number, fallback: number) => z.coerce.number().int().min(min).max(max).default(fallback),
  port: (fallback: number) => z.coerce.number().int().min(0).max(65_535).default(fallback),
  /** `kid:base64(32 bytes)[,kid:...]`; the first key encrypts. Errors describe the shape, never the key. */
  keyring: () =>
    z.string().transform((spec, ctx) => {
      try {
        return parseKeyring(spec);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: err instanceof Error ? err.message : 'not a keyring' });
        return z.NEVER;
      }
    }),
};

/** Variables every leadflow service reads. */
export const SERVICE_ENV = {
  KAFKA_BROKERS: envVar.list(),
  LEADFLOW_HOST: z.string().min(1).default('127.0.0.1'),
  LEADFLOW_LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  // The OpenTelemetry SDK's own variables: the base endpoint (`/v1/traces` appended) or the traces one (as is).
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.url().optional(),
  LEADFLOW_SHUTDOWN_TIMEOUT_MS: envVar.int(1_000, 600_000, 20_000),
  ...KAFKA_SECURITY_ENV,
};

/** The settings every service derives from SERVICE_ENV. */
export interface ServiceConfig {
  readonly kafkaBrokers: readonly string[];
  readonly host: string;
  readonly logLevel: LogLevel;
  readonly otlpTracesEndpoint?: string;
  readonly shutdownTimeoutMs: number;
  /** TLS, SASL credentials and mTLS material for `createKafka`; secret files are read once, here. */
  readonly kafkaSecurity: KafkaSecurity;
}

/**
 * The common settings of a service. Kafka secret files (`KAFKA_SASL_PASSWORD_FILE`, …) are read here, once; a
 * problem with them is a ConfigError naming the variable.
 */
export function serviceConfig(
  e: {
    KAFKA_BROKERS: string[];
    LEADFLOW_HOST: string;
    LEADFLOW_LOG_LEVEL: LogLevel;
    OTEL_EXPORTER_OTLP_ENDPOINT?: string | undefined;
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?: string | undefined;
    LEADFLOW_SHUTDOWN_TIMEOUT_MS: number;
  } & KafkaSecurityEnv,
  readSecretFile?: ReadSecretFile,
): ServiceConfig {
  const otlp = otlpTracesEndpoint(e);
  return {
    kafkaBrokers: e.KAFKA_BROKERS,
    host: e.LEADFLOW_HOST,
    logLevel: e.LEADFLOW_LOG_LEVEL,
    ...(otlp ? { otlpTracesEndpoint: otlp } : {}),
    shutdownTimeoutMs: e.LEADFLOW_SHUTDOWN_TIMEOUT_MS,
    kafkaSecurity: kafkaSecurityConfig(e, readSecretFile),
  };
}

/**
 * The OTLP/HTTP traces endpoint the OpenTelemetry variables name: `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` as is, else
 * `OTEL_EXPORTER_OTLP_ENDPOINT` with `/v1/traces` appended (the OTLP exporter specification); none when neither is set.
 */
export function otlpTracesEndpoint(e: {
  OTEL_EXPORTER_OTLP_ENDPOINT?: string | undefined;
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?: string | undefined;
}): string | undefined {
  const traces = e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim() || undefined;
  const base = e.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || undefined;
  return traces ?? (base ? `${base.replace(/\/+$/, '')}/v1/traces` : undefined);
}

export { loadEnv } from './load-env';
