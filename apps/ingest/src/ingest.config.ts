import { z } from 'zod';
import { parseKeyring, type Keyring } from '@leadflow/offer-table';

/** The ingest's configuration, read once from the environment and validated (the only reader of process.env). */
export interface IngestConfig {
  readonly kafkaBrokers: readonly string[];
  readonly port: number;
  readonly host: string;
  readonly ingestTokens: readonly string[];
  readonly adminTokens: readonly string[];
  readonly keyring: Keyring;
  readonly urlSigningKey: string;
  /** Base of the signed lead URLs handed to publishers. */
  readonly publicUrl: string;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly otlpTracesEndpoint?: string;
  /** How long a single lead waits for others to share its produce request. */
  readonly produceLingerMs: number;
  /** Most single leads in one produce request. */
  readonly produceMaxBatch: number;
  /** Graceful shutdown deadline: in-flight requests and their produces must finish within it. */
  readonly shutdownTimeoutMs: number;
}

const list = z
  .string()
  .transform((s) => s.split(',').map((t) => t.trim()).filter((t) => t.length > 0))
  .pipe(z.array(z.string()).min(1, 'at least one value is required'));

const int = (min: number, max: number, fallback: number) => z.coerce.number().int().min(min).max(max).default(fallback);

const EnvSchema = z.object({
  KAFKA_BROKERS: list,
  LEADFLOW_INGEST_PORT: int(0, 65_535, 8080),
  LEADFLOW_HOST: z.string().min(1).default('127.0.0.1'),
  LEADFLOW_INGEST_TOKENS: list,
  LEADFLOW_ADMIN_TOKENS: list,
  LEADFLOW_SECRET_KEYS: z.string().transform((spec, ctx) => {
    try {
      return parseKeyring(spec);
    } catch (err) {
      // The message of a keyring parse error never contains key material, only its shape.
      ctx.addIssue({ code: 'custom', message: err instanceof Error ? err.message : 'not a keyring' });
      return z.NEVER;
    }
  }),
  LEADFLOW_URL_SIGNING_KEY: z.string().min(16, 'must be at least 16 characters'),
  LEADFLOW_PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  LEADFLOW_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.url().optional(),
  LEADFLOW_PRODUCE_LINGER_MS: int(0, 1_000, 2),
  LEADFLOW_PRODUCE_MAX_BATCH: int(1, 10_000, 500),
  LEADFLOW_SHUTDOWN_TIMEOUT_MS: int(1_000, 600_000, 20_000),
});

/** Thrown at start-up; the message names every bad variable and never echoes a value. */
export class ConfigError extends Error {
  constructor(readonly variables: readonly string[], message: string) {
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

export function loadIngestConfig(env: Readonly<Record<string, string | undefined>> = process.env): IngestConfig {
  const values = present(env);
  const parsed = EnvSchema.safeParse(values);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => {
      const variable = String(i.path[0] ?? '(environment)');
      return { variable, message: values[variable] === undefined ? 'is required' : i.message };
    });
    const variables = [...new Set(issues.map((i) => i.variable))];
    throw new ConfigError(variables, `Invalid ingest configuration: ${issues.map((i) => `${i.variable}: ${i.message}`).join('; ')}`);
  }
  const e = parsed.data;
  return {
    kafkaBrokers: e.KAFKA_BROKERS,
    port: e.LEADFLOW_INGEST_PORT,
    host: e.LEADFLOW_HOST,
    ingestTokens: e.LEADFLOW_INGEST_TOKENS,
    adminTokens: e.LEADFLOW_ADMIN_TOKENS,
    keyring: e.LEADFLOW_SECRET_KEYS,
    urlSigningKey: e.LEADFLOW_URL_SIGNING_KEY,
    publicUrl: e.LEADFLOW_PUBLIC_URL ?? `http://127.0.0.1:${e.LEADFLOW_INGEST_PORT}`,
    logLevel: e.LEADFLOW_LOG_LEVEL,
    ...(e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ? { otlpTracesEndpoint: e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT } : {}),
    produceLingerMs: e.LEADFLOW_PRODUCE_LINGER_MS,
    produceMaxBatch: e.LEADFLOW_PRODUCE_MAX_BATCH,
    shutdownTimeoutMs: e.LEADFLOW_SHUTDOWN_TIMEOUT_MS,
  };
}
