import { envVar } from '@leadflow/service-config';
import { MARKETO_DEFAULT_LIMITS, type PacerLimits } from './marketo-pacer';

/**
 * The Marketo sink's own variables. Marketo's limits are per instance and shared by every integration of it
 * (and by every replica of this sink): lower them when other integrations or several replicas share a Munchkin ID.
 */
export const MARKETO_ENV = {
  /** REST calls per Munchkin ID per day (most subscriptions: 50,000; see Admin → Web Services). */
  LEADFLOW_MARKETO_DAILY_QUOTA: envVar.int(1, 100_000_000, MARKETO_DEFAULT_LIMITS.dailyQuota),
  /** Calls per Munchkin ID in any 20 s (Marketo: 100; its best practices suggest 50 per integration). */
  LEADFLOW_MARKETO_CALLS_PER_20S: envVar.int(1, 100, MARKETO_DEFAULT_LIMITS.callsPerWindow),
  /** Calls per Munchkin ID executing at once (Marketo: 10). */
  LEADFLOW_MARKETO_MAX_CONCURRENT: envVar.int(1, 10, MARKETO_DEFAULT_LIMITS.maxConcurrent),
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
