export interface RetryPolicy {
  /** Attempts in all, the first included. */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** No new attempt starts after this long since the first. */
  readonly maxElapsedMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 6,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  maxElapsedMs: 120_000,
};

/**
 * Delay before attempt `attempt + 1`, or undefined when the budget is spent. "Full jitter"
 * exponential backoff; a destination's own Retry-After wins when it asks for longer.
 */
export function nextDelay(
  p: RetryPolicy,
  attempt: number,
  elapsedMs: number,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number | undefined {
  if (attempt >= p.maxAttempts) return undefined;
  const cap = Math.min(p.maxDelayMs, p.baseDelayMs * 2 ** (attempt - 1));
  const delay = Math.max(Math.round(random() * cap), retryAfterMs ?? 0);
  return elapsedMs + delay > p.maxElapsedMs ? undefined : delay;
}
