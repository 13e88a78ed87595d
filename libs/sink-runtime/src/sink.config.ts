import { z } from 'zod';
import { envVar, SERVICE_ENV } from '@leadflow/service-config';
import type { RetryPolicy } from '@leadflow/retry';
import type { SinkLimits } from './sink-runner';

/** The environment every sink reads; a sink adds its own variables with `extra`. */
export const SINK_ENV = {
  ...SERVICE_ENV,
  LEADFLOW_SECRET_KEYS: envVar.keyring(),
  LEADFLOW_INSTANCE_ID: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,100}$/)
    .optional(),
  /** Prefixes topics and the consumer group (tests, shared development clusters). */
  LEADFLOW_TOPIC_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9._-]{0,100}$/)
    .default(''),
  LEADFLOW_SINK_MAX_IN_FLIGHT: envVar.int(1, 10_000, 256),
  LEADFLOW_SINK_MAX_IN_FLIGHT_PER_OFFER: envVar.int(1, 1_000, 32),
  /** Leads held unsettled (queued behind their offer, waiting for a retry or a quota): a memory bound. */
  LEADFLOW_SINK_MAX_UNSETTLED: envVar.int(1, 1_000_000, 5_000),
  LEADFLOW_SINK_ATTEMPT_TIMEOUT_MS: envVar.int(100, 600_000, 15_000),
  LEADFLOW_SINK_SESSION_TIMEOUT_MS: envVar.int(6_000, 300_000, 30_000),
  /** How often a sink looks for new route topics (an offer's own topic, created at its first lead). */
  LEADFLOW_SINK_TOPIC_REFRESH_MS: envVar.int(500, 600_000, 10_000),
  LEADFLOW_SINK_MAX_ATTEMPTS: envVar.int(1, 100, 6),
  LEADFLOW_SINK_RETRY_BASE_MS: envVar.int(1, 60_000, 500),
  LEADFLOW_SINK_RETRY_MAX_MS: envVar.int(1, 600_000, 30_000),
  LEADFLOW_SINK_RETRY_BUDGET_MS: envVar.int(1, 3_600_000, 120_000),
};
export type SinkEnv = z.output<z.ZodObject<typeof SINK_ENV>>;

/** The process environment, read by the sink shell at start (the only place a sink reads it). */
export const processEnv = (): Readonly<Record<string, string | undefined>> => process.env;

export function sinkLimits(e: SinkEnv): SinkLimits {
  return {
    maxInFlight: e.LEADFLOW_SINK_MAX_IN_FLIGHT,
    maxInFlightPerOffer: e.LEADFLOW_SINK_MAX_IN_FLIGHT_PER_OFFER,
    maxUnsettled: e.LEADFLOW_SINK_MAX_UNSETTLED,
    attemptTimeoutMs: e.LEADFLOW_SINK_ATTEMPT_TIMEOUT_MS,
    sessionTimeoutMs: e.LEADFLOW_SINK_SESSION_TIMEOUT_MS,
    topicRefreshMs: e.LEADFLOW_SINK_TOPIC_REFRESH_MS,
  };
}

export function retryPolicy(e: SinkEnv): RetryPolicy {
  return {
    maxAttempts: e.LEADFLOW_SINK_MAX_ATTEMPTS,
    baseDelayMs: e.LEADFLOW_SINK_RETRY_BASE_MS,
    maxDelayMs: e.LEADFLOW_SINK_RETRY_MAX_MS,
    maxElapsedMs: e.LEADFLOW_SINK_RETRY_BUDGET_MS,
  };
}
