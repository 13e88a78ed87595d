import { z } from 'zod';
import { ConfigError, envVar, loadEnv, SERVICE_ENV, serviceConfig, type ServiceConfig } from '@leadflow/service-config';
import { IDENTITY_ENV, identitySettings, type IdentitySettings } from '@leadflow/access';
import { parseTokens } from './access/static-tokens';

/** The console's configuration, read once from the environment and validated (the only reader of process.env). */
export interface ConsoleConfig extends ServiceConfig {
  readonly port: number;
  /**
   * Who may use the console: the ingest's identity settings (LEADFLOW_STATIC_TOKENS digests with roles and
   * publishers, LEADFLOW_OIDC_* for signed JWTs), plus LEADFLOW_CONSOLE_TOKENS as operators' static tokens.
   */
  readonly identity: IdentitySettings;
  /** Prepended to every topic the console reads and writes (tests, shared development clusters). */
  readonly topicPrefix: string;
  /** The built front end (index.html, app.js, styles.css); by default `web/` beside the program. */
  readonly webDir?: string;
  readonly maxDeadLetters: number;
  readonly maxLeads: number;
  /**
   * The most bytes one fetch of the index feed brings (kafkajs `maxBytes`; per partition at most 1 MiB). Every
   * fetched record is decoded into objects before the index keeps its few facts, so this bounds the garbage of the
   * catch-up read: a smaller fetch is less memory at start, a larger one a shorter start (docs/console.md).
   */
  readonly fetchMaxBytes: number;
  /** How often the index looks for topics created since start (an offer's own route topic), in ms; 0: never. */
  readonly topicCheckMs: number;
  /** A trace viewer's URL with `{traceId}` in it (Jaeger: http://host:16686/trace/{traceId}); no link without it. */
  readonly traceUrl?: string;
  /** Where the console is reached (OpenAPI `servers`). */
  readonly publicUrl: string;
}

const EnvSchema = z.object({
  ...SERVICE_ENV,
  LEADFLOW_CONSOLE_PORT: envVar.port(8070),
  ...IDENTITY_ENV,
  LEADFLOW_CONSOLE_TOKENS: z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined) return [];
      const parsed = parseTokens(raw);
      if (typeof parsed === 'string') {
        ctx.addIssue({ code: 'custom', message: parsed });
        return z.NEVER;
      }
      return parsed;
    }),
  LEADFLOW_TOPIC_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9._-]{0,100}$/, "must be letters, digits, '.', '_' or '-' (it is part of topic names)")
    .default(''),
  LEADFLOW_CONSOLE_WEB_DIR: z.string().min(1).optional(),
  LEADFLOW_CONSOLE_MAX_DEAD_LETTERS: envVar.int(1_000, 10_000_000, 250_000),
  LEADFLOW_CONSOLE_MAX_LEADS: envVar.int(1_000, 10_000_000, 100_000),
  LEADFLOW_CONSOLE_FETCH_MAX_BYTES: envVar.int(65_536, 67_108_864, 2_097_152),
  LEADFLOW_CONSOLE_TOPIC_CHECK_MS: envVar.int(0, 3_600_000, 30_000),
  LEADFLOW_CONSOLE_TRACE_URL: z
    .string()
    .regex(/^https?:\/\/\S*\{traceId\}\S*$/, 'must be an http(s) URL containing {traceId}')
    .optional(),
  LEADFLOW_CONSOLE_PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
});

export { ConfigError };

export function loadConsoleConfig(env: Readonly<Record<string, string | undefined>> = process.env): ConsoleConfig {
  const e = loadEnv(EnvSchema, env, 'console');
  return {
    ...serviceConfig(e),
    port: e.LEADFLOW_CONSOLE_PORT,
    identity: identitySettings(e, 'console', e.LEADFLOW_CONSOLE_TOKENS),
    topicPrefix: e.LEADFLOW_TOPIC_PREFIX,
    ...(e.LEADFLOW_CONSOLE_WEB_DIR ? { webDir: e.LEADFLOW_CONSOLE_WEB_DIR } : {}),
    maxDeadLetters: e.LEADFLOW_CONSOLE_MAX_DEAD_LETTERS,
    maxLeads: e.LEADFLOW_CONSOLE_MAX_LEADS,
    fetchMaxBytes: e.LEADFLOW_CONSOLE_FETCH_MAX_BYTES,
    topicCheckMs: e.LEADFLOW_CONSOLE_TOPIC_CHECK_MS,
    ...(e.LEADFLOW_CONSOLE_TRACE_URL ? { traceUrl: e.LEADFLOW_CONSOLE_TRACE_URL } : {}),
    publicUrl: e.LEADFLOW_CONSOLE_PUBLIC_URL ?? `http://${e.LEADFLOW_HOST}:${e.LEADFLOW_CONSOLE_PORT}`,
  };
}
