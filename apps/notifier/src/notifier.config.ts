import { z } from 'zod';
import { EmailAddressSchema } from '@leadflow/lead-model';
import { envVar, loadEnv, SERVICE_ENV, serviceConfig, type ServiceConfig } from '@leadflow/service-config';
import type { RetryPolicy } from '@leadflow/retry';
import type { PlannerSettings } from './notice-planner';

/** Default ops port of the notifier (`/healthz`, `/readyz`, `/metrics`). */
export const NOTIFIER_DEFAULT_PORT = 8087;

const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => ['true', '1', 'yes'].includes(v));

/** Every variable the notifier reads, validated once at start (docs/notifications.md#configuration). */
export const NOTIFIER_ENV = {
  ...SERVICE_ENV,
  LEADFLOW_NOTIFIER_PORT: envVar.port(NOTIFIER_DEFAULT_PORT),
  LEADFLOW_TOPIC_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9._-]{0,100}$/)
    .default(''),
  LEADFLOW_INSTANCE_ID: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,100}$/)
    .optional(),
  LEADFLOW_SMTP_HOST: z.string().min(1),
  LEADFLOW_SMTP_PORT: envVar.port(587),
  /**
   * `starttls` (default): upgrade with STARTTLS and refuse to send without it; `tls`: implicit TLS (port 465);
   * `none`: plain SMTP, for a mail catcher on loopback only.
   */
  LEADFLOW_SMTP_SECURITY: z.enum(['starttls', 'tls', 'none']).default('starttls'),
  LEADFLOW_SMTP_USER: z.string().min(1).max(256).optional(),
  LEADFLOW_SMTP_PASSWORD: z.string().min(1).max(1024).optional(),
  /** Verify the server's certificate (default true); false only for a local server's self-signed one. */
  LEADFLOW_SMTP_TLS_VERIFY: bool.default(true),
  LEADFLOW_SMTP_TIMEOUT_MS: envVar.int(1_000, 300_000, 15_000),
  LEADFLOW_NOTIFIER_FROM: EmailAddressSchema,
  /** `mailto:` or `https:` URL for List-Unsubscribe; `{offerId}` is replaced by the offer id. */
  LEADFLOW_NOTIFIER_UNSUBSCRIBE_URL: z
    .string()
    .regex(/^(mailto:|https:\/\/)\S+$/, 'must be a mailto: or https:// URL')
    .max(2048),
  /** Leads of one offer per digest window above which notices become one digest per window (0: always digest). */
  LEADFLOW_NOTIFIER_DIGEST_ABOVE: envVar.int(0, 100_000, 20),
  LEADFLOW_NOTIFIER_DIGEST_WINDOW_MS: envVar.int(1_000, 86_400_000, 600_000),
  /** How long after its window ends a digest waits for late receipts. */
  LEADFLOW_NOTIFIER_DIGEST_GRACE_MS: envVar.int(0, 600_000, 5_000),
  LEADFLOW_NOTIFIER_REMINDER_MS: envVar.int(1_000, 30 * 86_400_000, 86_400_000),
  /** How long a "fixed" notice of an auto-replay destination counts the replays before it goes (0: at once). */
  LEADFLOW_NOTIFIER_AUTO_REPLAY_SETTLE_MS: envVar.int(0, 3_600_000, 30_000),
  LEADFLOW_NOTIFIER_RETRY_BASE_MS: envVar.int(1, 60_000, 1_000),
  LEADFLOW_NOTIFIER_RETRY_MAX_MS: envVar.int(1, 600_000, 60_000),
  LEADFLOW_NOTIFIER_SESSION_TIMEOUT_MS: envVar.int(6_000, 300_000, 30_000),
  /**
   * Fault injection for the crash test only: waits this long between a send and its record, so a SIGKILL lands in
   * that window. 0 (default) in every deployment.
   */
  LEADFLOW_NOTIFIER_TEST_RECORD_DELAY_MS: envVar.int(0, 10_000, 0),
  /** Shown in notices as the way to replay (the operators' console or CLI). */
  LEADFLOW_NOTIFIER_REPLAY_HINT: z.string().max(500).default('leadctl dlq replay --offer {offerId}'),
};

export interface SmtpSettings {
  readonly host: string;
  readonly port: number;
  readonly security: 'starttls' | 'tls' | 'none';
  readonly auth?: { readonly user: string; readonly pass: string };
  readonly verifyTls: boolean;
  readonly timeoutMs: number;
}

export interface NotifierConfig {
  readonly service: ServiceConfig;
  readonly port: number;
  readonly topicPrefix: string;
  readonly instanceId: string;
  readonly smtp: SmtpSettings;
  readonly from: string;
  readonly unsubscribeUrl: string;
  readonly replayHint: string;
  readonly planner: PlannerSettings;
  readonly retry: RetryPolicy;
  readonly sessionTimeoutMs: number;
  readonly recordDelayMs: number;
}

/** The process environment, read by the notifier's shell at start (the only place it is read). */
export const processEnv = (): Readonly<Record<string, string | undefined>> => process.env;

/** Reads and validates the environment once; a bad variable is named in the error, its value never echoed. */
export function loadNotifierConfig(env: Readonly<Record<string, string | undefined>>): NotifierConfig {
  const e = loadEnv(z.object(NOTIFIER_ENV), env, 'notifier');
  if ((e.LEADFLOW_SMTP_USER === undefined) !== (e.LEADFLOW_SMTP_PASSWORD === undefined))
    throw new Error('Invalid notifier configuration: LEADFLOW_SMTP_USER and LEADFLOW_SMTP_PASSWORD go together');
  return {
    service: serviceConfig(e),
    port: e.LEADFLOW_NOTIFIER_PORT,
    topicPrefix: e.LEADFLOW_TOPIC_PREFIX,
    instanceId: e.LEADFLOW_INSTANCE_ID ?? String(process.pid),
    smtp: {
      host: e.LEADFLOW_SMTP_HOST,
      port: e.LEADFLOW_SMTP_PORT,
      security: e.LEADFLOW_SMTP_SECURITY,
      ...(e.LEADFLOW_SMTP_USER && e.LEADFLOW_SMTP_PASSWORD
        ? { auth: { user: e.LEADFLOW_SMTP_USER, pass: e.LEADFLOW_SMTP_PASSWORD } }
        : {}),
      verifyTls: e.LEADFLOW_SMTP_TLS_VERIFY,
      timeoutMs: e.LEADFLOW_SMTP_TIMEOUT_MS,
    },
    from: e.LEADFLOW_NOTIFIER_FROM,
    unsubscribeUrl: e.LEADFLOW_NOTIFIER_UNSUBSCRIBE_URL,
    replayHint: e.LEADFLOW_NOTIFIER_REPLAY_HINT,
    planner: {
      digestAbove: e.LEADFLOW_NOTIFIER_DIGEST_ABOVE,
      digestWindowMs: e.LEADFLOW_NOTIFIER_DIGEST_WINDOW_MS,
      digestGraceMs: e.LEADFLOW_NOTIFIER_DIGEST_GRACE_MS,
      reminderMs: e.LEADFLOW_NOTIFIER_REMINDER_MS,
      autoReplaySettleMs: e.LEADFLOW_NOTIFIER_AUTO_REPLAY_SETTLE_MS,
    },
    retry: {
      maxAttempts: Number.POSITIVE_INFINITY,
      baseDelayMs: e.LEADFLOW_NOTIFIER_RETRY_BASE_MS,
      maxDelayMs: e.LEADFLOW_NOTIFIER_RETRY_MAX_MS,
      maxElapsedMs: Number.POSITIVE_INFINITY,
    },
    sessionTimeoutMs: e.LEADFLOW_NOTIFIER_SESSION_TIMEOUT_MS,
    recordDelayMs: e.LEADFLOW_NOTIFIER_TEST_RECORD_DELAY_MS,
  };
}
