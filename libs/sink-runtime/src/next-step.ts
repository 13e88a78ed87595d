import type { LeadflowError } from '@leadflow/lead-model';
import { nextDelay, type RetryPolicy } from '@leadflow/retry';

/** What happens to a lead after a failed attempt. */
export type NextStep =
  /** A transient error within the budget: try again after the delay. */
  | { readonly kind: 'retry'; readonly delayMs: number }
  /** The destination is out of a quota until a known time: wait, then start a fresh budget. */
  | { readonly kind: 'wait'; readonly delayMs: number }
  /** Configuration or data error (not retried), or a transient one whose budget is spent. */
  | { readonly kind: 'dead-letter'; readonly exhausted: boolean }
  /** The sink is shutting down: leave the lead unsettled, its offset uncommitted; the next owner replays it. */
  | { readonly kind: 'hand-back' };

/** Attempts and elapsed time counted against the retry budget (a quota wait starts a new budget). */
export interface Budget {
  readonly attempts: number;
  readonly startedAt: number;
}

/** The retry decision, from the classified error and the budget alone (pure; the runner sleeps and counts). */
export function nextStep(
  error: LeadflowError,
  budget: Budget,
  now: number,
  policy: RetryPolicy,
  shuttingDown: boolean,
  random?: () => number,
): NextStep {
  if (!error.retriable) return { kind: 'dead-letter', exhausted: false };
  if (shuttingDown) return { kind: 'hand-back' };
  if (error.waitUntil !== undefined && error.waitUntil > now) return { kind: 'wait', delayMs: error.waitUntil - now };
  const delayMs = nextDelay(policy, budget.attempts, now - budget.startedAt, error.retryAfterMs, random);
  return delayMs === undefined ? { kind: 'dead-letter', exhausted: true } : { kind: 'retry', delayMs };
}
