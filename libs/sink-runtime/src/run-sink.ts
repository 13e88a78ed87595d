import type { DestinationType } from '@leadflow/lead-model';
import { createKafka } from '@leadflow/kafka';
import {
  createLogger,
  createMetricsRegistry,
  HealthState,
  onShutdown,
  startOpsServer,
  startTracing,
  type Logger,
} from '@leadflow/observability';
import { OfferTable } from '@leadflow/offer-table';
import { serviceConfig } from '@leadflow/service-config';
import { loadSinkEnv, retryPolicy, sinkLimits, type SinkEnv } from './sink.config';
import { createSinkMetrics } from './metrics';
import { SinkRunner } from './sink-runner';
import type { Sink } from './sink.port';
import { sinkTopics } from './sink-topics';

export interface RunSinkOptions<T extends DestinationType> {
  readonly type: T;
  /** Name of the ops-port variable, e.g. LEADFLOW_TABLE_SINK_PORT, and its default. */
  readonly portVariable: string;
  readonly defaultPort: number;
  /** Builds the sink from the validated environment (sink-specific variables are read by the caller). */
  readonly createSink: (env: SinkEnv, logger: Logger) => Sink<T>;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * The whole shell of a sink service: configuration read once, tracing, logger, metrics, ops server
 * (/healthz, /readyz — false until the offer table caught up and the group joined — and /metrics),
 * the delivery loop, and graceful shutdown on SIGTERM.
 */
export async function runSink<T extends DestinationType>(opts: RunSinkOptions<T>): Promise<void> {
  const service = `${opts.type}-sink`;
  const e = loadSinkEnv(service, opts.portVariable, opts.defaultPort, opts.env);
  const common = serviceConfig(e);
  const logger = createLogger({ service, level: common.logLevel });
  const tracing = startTracing({
    serviceName: service,
    ...(common.otlpTracesEndpoint ? { otlpEndpoint: common.otlpTracesEndpoint } : {}),
  });
  const registry = createMetricsRegistry(service);
  const health = new HealthState();
  const prefix = e.LEADFLOW_TOPIC_PREFIX;
  const topics = sinkTopics(opts.type, prefix);
  const clientId = `${prefix}leadflow-${service}-${e.LEADFLOW_INSTANCE_ID ?? process.pid}`;
  const kafka = createKafka({ brokers: common.kafkaBrokers, clientId, logger });
  const offers = new OfferTable({ kafka, logger, clientId, topic: topics.offers });
  const runner = new SinkRunner({
    kafka,
    sink: opts.createSink(e, logger),
    offers,
    keyring: e.LEADFLOW_SECRET_KEYS,
    topics,
    groupId: `${prefix}leadflow-${service}`,
    limits: sinkLimits(e),
    retry: retryPolicy(e),
    logger,
    metrics: createSinkMetrics(registry),
    health,
  });
  const ops = await startOpsServer({ host: common.host, port: e[opts.portVariable] as number, health, registry });
  onShutdown(
    [
      () => runner.stop(Math.max(1_000, common.shutdownTimeoutMs - 3_000)),
      () => new Promise<void>((r) => ops.close(() => r())),
      () => tracing.shutdown(),
    ],
    { logger, timeoutMs: common.shutdownTimeoutMs },
  );
  await runner.start();
  logger.info({ topics: topics.routes.source, group: `${prefix}leadflow-${service}` }, 'sink started');
}
