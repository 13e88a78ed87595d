import type { Logger } from '@leadflow/observability';

/** Resolves after `ms`, or at once when `signal` aborts (so shutdown never waits out a backoff). */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}

/** kafkajs errors name the broker and the protocol error, never record contents; keep only those. */
export function errorSummary(err: unknown): { name: string; message: string } {
  if (err instanceof Error) return { name: err.name, message: err.message };
  return { name: 'unknown', message: String(err) };
}

/**
 * Runs `attempt` until it resolves, with capped exponential backoff, until `signal` aborts. Failures
 * are logged (summary only), never thrown: a service whose broker is down keeps running, unready.
 * Resolves true once an attempt succeeded, false when aborted first.
 */
export async function keepTrying(
  what: string,
  logger: Logger,
  signal: AbortSignal,
  attempt: () => Promise<void>,
): Promise<boolean> {
  let delay = 500;
  while (!signal.aborted) {
    try {
      await attempt();
      return true;
    } catch (err) {
      if (signal.aborted) return false;
      logger.warn({ err: errorSummary(err), retryInMs: delay }, `${what} failed; retrying`);
      await sleep(delay, signal);
      delay = Math.min(delay * 2, 10_000);
    }
  }
  return false;
}
