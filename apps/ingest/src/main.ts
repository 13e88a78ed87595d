import { createLogger, onShutdown, startTracing } from '@leadflow/observability';
import { loadIngestConfig } from './ingest.config';

/**
 * Entry point: configuration, tracing (before anything loads `http`, so the instrumentation can
 * patch it), the application, and graceful shutdown on SIGTERM/SIGINT.
 */
async function main(): Promise<void> {
  const config = loadIngestConfig();
  const logger = createLogger({ service: 'ingest', level: config.logLevel });
  const tracing = startTracing({
    serviceName: 'ingest',
    ...(config.otlpTracesEndpoint ? { otlpEndpoint: config.otlpTracesEndpoint } : {}),
  });
  const { createIngest } = await import('./composition');
  const ingest = await createIngest({ config, logger });
  onShutdown([() => ingest.close(), () => tracing.shutdown()], { logger, timeoutMs: config.shutdownTimeoutMs });
  await ingest.listen();
  ingest.start();
}

main().catch((err: unknown) => {
  // The logger may not exist yet (bad configuration): one JSON line on stderr, without a stack for config errors.
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(
    `${JSON.stringify({ level: 'fatal', service: 'ingest', msg: 'ingest failed to start', error: message })}\n`,
  );
  process.exit(1);
});
