/** How a failing operation is retried: exponential backoff with full jitter, within an attempt and a time budget. */
export interface RetryPolicy {
  /** Attempts in all, the first included (Infinity: until the budget or an abort ends it). */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** No new attempt starts after this long since the first (Infinity: no budget). */
  readonly maxElapsedMs: number;
}

/** Sinks' delivery retries (DESIGN: jittered exponential backoff within a budget, then dead-lettered). */
export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 6,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  maxElapsedMs: 120_000,
};

/** A service waiting for its broker at start, or a router partition after a failed transaction: forever, capped. */
export const FOREVER: RetryPolicy = {
  maxAttempts: Number.POSITIVE_INFINITY,
  baseDelayMs: 250,
  maxDelayMs: 10_000,
  maxElapsedMs: Number.POSITIVE_INFINITY,
};

/**
 * Delay before attempt `attempt + 1`, or undefined when the budget is spent. "Full jitter" (a uniform draw below an
 * exponentially growing cap; AWS Architecture Blog, "Exponential Backoff And Jitter"): concurrent retriers spread
 * out instead of returning together. A destination's own Retry-After wins when it asks for longer.
 */
export function nextDelay(
  p: RetryPolicy,
  attempt: number,
  elapsedMs: number,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number | undefined {
  if (attempt >= p.maxAttempts) return undefined;
  const cap = Math.min(p.maxDelayMs, p.baseDelayMs * 2 ** Math.min(attempt - 1, 30));
  const delay = Math.max(Math.round(random() * cap), retryAfterMs ?? 0);
  return elapsedMs + delay > p.maxElapsedMs ? undefined : delay;
}
