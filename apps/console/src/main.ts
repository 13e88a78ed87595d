import { join } from 'node:path';
import { createLogger, onShutdown, startTracing } from '@leadflow/observability';
import { loadConsoleConfig } from './console.config';

/**
 * Entry point: configuration, tracing (before anything loads `http`), the application, graceful shutdown on
 * SIGTERM/SIGINT. The built front end sits in `web/` beside the built program (dist/apps/console/web).
 */
async function main(): Promise<void> {
  const config = loadConsoleConfig();
  const logger = createLogger({ service: 'console', level: config.logLevel });
  const tracing = startTracing({
    serviceName: 'console',
    ...(config.otlpTracesEndpoint ? { otlpEndpoint: config.otlpTracesEndpoint } : {}),
  });
  const { createConsole } = await import('./composition');
  const app = await createConsole({ config, logger, defaultWebDir: join(__dirname, 'web') });
  onShutdown([() => app.close(), () => tracing.shutdown()], { logger, timeoutMs: config.shutdownTimeoutMs });
  await app.listen();
  app.start();
}

main().catch((err: unknown) => {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(
    `${JSON.stringify({ level: 'fatal', service: 'console', msg: 'console failed to start', error: message })}\n`,
  );
  process.exit(1);
});
