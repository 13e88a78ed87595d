import { nextDelay, type RetryPolicy } from './backoff';
import { sleep } from './sleep';

export interface RetryOptions {
  readonly policy: RetryPolicy;
  /** Ends the retrying: the pending wait resolves at once and `retry` rejects with the last error. */
  readonly signal?: AbortSignal;
  /** Errors that are not worth another attempt (a programming error, a refused configuration) end it at once. */
  readonly retriable?: (err: unknown) => boolean;
  /** Called before each wait, e.g. to log the failure and mark the service not ready. */
  readonly onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
  readonly random?: () => number;
}

/** Runs `attempt` until it resolves, the policy's budget is spent, a non-retriable error occurs or `signal` aborts. */
export async function retry<T>(attempt: (n: number) => Promise<T>, opts: RetryOptions): Promise<T> {
  const started = Date.now();
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (err) {
      if (opts.signal?.aborted || (opts.retriable && !opts.retriable(err))) throw err;
      const delay = nextDelay(opts.policy, n, Date.now() - started, undefined, opts.random);
      if (delay === undefined) throw err;
      opts.onRetry?.(err, n, delay);
      await sleep(delay, opts.signal);
      if (opts.signal?.aborted) throw err;
    }
  }
}
