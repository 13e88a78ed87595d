import { z } from 'zod';
import { ConfigError, envVar, loadEnv, SERVICE_ENV, serviceConfig, type ServiceConfig } from '@leadflow/service-config';
import { parseTokens, type ConsoleToken } from './access/static-tokens';

/** The console's configuration, read once from the environment and validated (the only reader of process.env). */
export interface ConsoleConfig extends ServiceConfig {
  readonly port: number;
  /** Who may use the console: named static tokens (LEADFLOW_CONSOLE_TOKENS). */
  readonly tokens: readonly ConsoleToken[];
  /** Prepended to every topic the console reads and writes (tests, shared development clusters). */
  readonly topicPrefix: string;
  /** The built front end (index.html, app.js, styles.css); by default `web/` beside the program. */
  readonly webDir?: string;
  readonly maxDeadLetters: number;
  readonly maxLeads: number;
  /** A trace viewer's URL with `{traceId}` in it (Jaeger: http://host:16686/trace/{traceId}); no link without it. */
  readonly traceUrl?: string;
  /** Where the console is reached (OpenAPI `servers`). */
  readonly publicUrl: string;
}

const EnvSchema = z.object({
  ...SERVICE_ENV,
  LEADFLOW_CONSOLE_PORT: envVar.port(8070),
  LEADFLOW_CONSOLE_TOKENS: z.string().transform((raw, ctx) => {
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
    tokens: e.LEADFLOW_CONSOLE_TOKENS,
    topicPrefix: e.LEADFLOW_TOPIC_PREFIX,
    ...(e.LEADFLOW_CONSOLE_WEB_DIR ? { webDir: e.LEADFLOW_CONSOLE_WEB_DIR } : {}),
    maxDeadLetters: e.LEADFLOW_CONSOLE_MAX_DEAD_LETTERS,
    maxLeads: e.LEADFLOW_CONSOLE_MAX_LEADS,
    ...(e.LEADFLOW_CONSOLE_TRACE_URL ? { traceUrl: e.LEADFLOW_CONSOLE_TRACE_URL } : {}),
    publicUrl: e.LEADFLOW_CONSOLE_PUBLIC_URL ?? `http://${e.LEADFLOW_HOST}:${e.LEADFLOW_CONSOLE_PORT}`,
  };
}
