import type { Server } from 'node:http';
import { createKafka, describeKafkaSecurity } from '@leadflow/kafka';
import {
  createLogger,
  createMetricsRegistry,
  HealthState,
  onShutdown,
  startOpsServer,
  startTracing,
} from '@leadflow/observability';
import { createRouter } from './router';
import { ConfigError, loadRouterConfig } from './router.config';
import { routerTopics } from './routing/router-topics';

/** Entry point: `node dist/apps/router/main.js` once built (`./dev build`), configuration from the environment. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadRouterConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    createLogger({ service: 'router' }).fatal({ variables: err.variables }, err.message);
    process.exit(2);
  }
  const tracing = startTracing({
    serviceName: 'router',
    ...(config.otlpTracesEndpoint ? { otlpEndpoint: config.otlpTracesEndpoint } : {}),
  });
  const logger = createLogger({ service: 'router', level: config.logLevel }).child({ instance: config.instanceId });
  const kafka = createKafka({
    brokers: config.kafkaBrokers,
    clientId: `leadflow-router-${config.instanceId}`,
    logger: logger.child({ component: 'kafka' }),
    security: config.kafkaSecurity,
  });
  const registry = createMetricsRegistry('router');
  const health = new HealthState();
  const prefix = config.topicPrefix;
  const router = createRouter({
    kafka,
    logger,
    topics: routerTopics(prefix),
    groupId: `${prefix}leadflow-router`,
    transactionIntervalMs: config.transactionIntervalMs,
    registry,
    health,
  });

  const server: Server = await startOpsServer({ host: config.host, port: config.port, health, registry });
  logger.info(
    { host: config.host, port: config.port, kafka: describeKafkaSecurity(config.kafkaSecurity) },
    'ops server listening',
  );

  let stopping = false;
  onShutdown(
    [
      async () => {
        stopping = true;
        await router.stop();
      },
      () => new Promise<void>((resolve) => server.close(() => resolve())),
      () => tracing.shutdown(),
    ],
    { logger, timeoutMs: config.shutdownTimeoutMs },
  );

  // The broker may come up after the router (local stack, rolling restarts): keep trying to start.
  let delay = 500;
  while (!stopping) {
    try {
      await router.start();
      return;
    } catch (err) {
      if (stopping) return;
      logger.warn({ err, retryInMs: delay }, 'router start failed; retrying');
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 10_000);
    }
  }
}

void main().catch((err: unknown) => {
  createLogger({ service: 'router' }).fatal({ err }, 'router failed to start');
  process.exit(1);
});
