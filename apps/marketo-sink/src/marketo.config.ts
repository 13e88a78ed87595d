import { envVar } from '@leadflow/service-config';
import { MARKETO_DEFAULT_LIMITS, type PacerLimits } from './marketo-pacer';

/**
 * The Marketo sink's own variables. Marketo's limits are per instance (Munchkin ID) and shared by every integration
 * of it: lower them when other integrations share a Munchkin ID. Replicas of this sink need no share of their own:
 * route records are keyed by Munchkin ID, so one replica at a time calls each instance.
 */
export const MARKETO_ENV = {
  /** REST calls per Munchkin ID per day (most subscriptions: 50,000; see Admin → Web Services). */
  LEADFLOW_MARKETO_DAILY_QUOTA: envVar.int(1, 100_000_000, MARKETO_DEFAULT_LIMITS.dailyQuota),
  /** Calls per Munchkin ID in any 20 s (Marketo: 100; its best practices suggest 50 per integration). */
  LEADFLOW_MARKETO_CALLS_PER_20S: envVar.int(1, 100, MARKETO_DEFAULT_LIMITS.callsPerWindow),
  /** Calls per Munchkin ID executing at once (Marketo: 10). */
  LEADFLOW_MARKETO_MAX_CONCURRENT: envVar.int(1, 10, MARKETO_DEFAULT_LIMITS.maxConcurrent),
  /**
   * How long (ms) an instance that gained partitions starts no call: the previous owner's calls must leave Marketo's
   * 20 s window first (docs/operations.md, quotas at any instance count).
   */
  LEADFLOW_MARKETO_HANDOVER_MS: envVar.int(0, 600_000, MARKETO_DEFAULT_LIMITS.windowMs + 1_000),
};

export function pacerLimits(env: {
  LEADFLOW_MARKETO_DAILY_QUOTA: number;
  LEADFLOW_MARKETO_CALLS_PER_20S: number;
  LEADFLOW_MARKETO_MAX_CONCURRENT: number;
}): PacerLimits {
  return {
    dailyQuota: env.LEADFLOW_MARKETO_DAILY_QUOTA,
    callsPerWindow: env.LEADFLOW_MARKETO_CALLS_PER_20S,
    windowMs: MARKETO_DEFAULT_LIMITS.windowMs,
    maxConcurrent: env.LEADFLOW_MARKETO_MAX_CONCURRENT,
  };
}
