import type { Logger } from 'pino';

export interface ShutdownOptions {
  readonly logger: Logger;
  /** Past this, the process exits even if a step has not finished (the orchestrator would SIGKILL anyway). */
  readonly timeoutMs: number;
  readonly exit?: (code: number) => void;
}

/**
 * Graceful shutdown on SIGTERM/SIGINT: the steps run in order (stop taking work, finish or hand back
 * in-flight work, disconnect), once, within a deadline.
 */
export function onShutdown(steps: readonly (() => Promise<void>)[], opts: ShutdownOptions): () => Promise<void> {
  let running: Promise<void> | undefined;
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  const run = (): Promise<void> => {
    running ??= (async () => {
      const t0 = Date.now();
      opts.logger.info({ timeoutMs: opts.timeoutMs }, 'shutting down');
      const timer = setTimeout(() => {
        opts.logger.error({ timeoutMs: opts.timeoutMs }, 'shutdown deadline passed; exiting');
        exit(1);
      }, opts.timeoutMs);
      timer.unref();
      let code = 0;
      for (const step of steps) {
        try {
          await step();
        } catch (err) {
          code = 1;
          opts.logger.error({ err }, 'shutdown step failed');
        }
      }
      clearTimeout(timer);
      opts.logger.info({ ms: Date.now() - t0 }, 'shutdown complete');
      exit(code);
    })();
    return running;
  };
  process.once('SIGTERM', () => void run());
  process.once('SIGINT', () => void run());
  return run;
}
