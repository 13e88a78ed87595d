import { z } from 'zod';
import type { Registry } from 'prom-client';
import { createKafka, describeKafkaSecurity } from '@leadflow/kafka';
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
import { envVar, loadEnv, serviceConfig } from '@leadflow/service-config';
import { processEnv, retryPolicy, SINK_ENV, sinkLimits, type SinkEnv } from './sink.config';
import { createSinkMetrics } from './metrics';
import { SinkRunner } from './sink-runner';
import type { Sink } from './sink.port';
import { sinkTopics } from './sink-topics';
import { sinkPortVariable, sinkService, type SinkName, type SinkTypeOf } from './sink-catalog';

/** What `create` gets: the sink's own variables validated, and the service's logger and metrics registry. */
export interface SinkDeps<E extends z.ZodRawShape> {
  readonly env: z.output<z.ZodObject<E>>;
  readonly logger: Logger;
  readonly registry: Registry;
}

/**
 * A sink service, declared once. Its type and default port come from the sink catalog by name; its own
 * environment variables are a zod shape validated with the common ones, at start, once.
 */
export interface SinkDeclaration<N extends SinkName, E extends z.ZodRawShape = Record<never, z.ZodType>> {
  readonly name: N;
  readonly env?: E;
  readonly create: (deps: SinkDeps<E>) => Sink<SinkTypeOf<N>>;
}

/** Identity with inference: `defineSink({ name: 'https-sink', env: {...}, create })`. */
export function defineSink<N extends SinkName, E extends z.ZodRawShape = Record<never, z.ZodType>>(
  declaration: SinkDeclaration<N, E>,
): SinkDeclaration<N, E> {
  return declaration;
}

/** Reads a declared sink's whole environment (common sink variables, its port, its own variables). */
export function loadDeclaredSinkEnv<N extends SinkName, E extends z.ZodRawShape>(
  declaration: SinkDeclaration<N, E>,
  env: Readonly<Record<string, string | undefined>>,
): SinkEnv & { LEADFLOW_SINK_PORT: number } & z.output<z.ZodObject<E>> {
  const service = sinkService(declaration.name);
  // One schema, so every bad variable (common or the sink's own) is named in one error.
  const schema: z.ZodObject = z.object({
    ...SINK_ENV,
    ...declaration.env,
    LEADFLOW_SINK_PORT: envVar.port(service.defaultPort),
  });
  // The port variable is named after the sink (LEADFLOW_TABLE_SINK_PORT); it is read under one internal name.
  const portVariable = sinkPortVariable(declaration.name);
  const values = { ...env, LEADFLOW_SINK_PORT: env[portVariable] };
  try {
    return loadEnv(schema, values, declaration.name) as SinkEnv & { LEADFLOW_SINK_PORT: number } & z.output<
        z.ZodObject<E>
      >;
  } catch (err) {
    if (err instanceof Error) err.message = err.message.replace(/LEADFLOW_SINK_PORT/g, portVariable);
    throw err;
  }
}

/**
 * The whole shell of a sink service: configuration read once, tracing, logger, metrics, ops server
 * (/healthz, /readyz — false until the offer table caught up and the group joined — and /metrics),
 * the delivery loop, and graceful shutdown on SIGTERM. A bad configuration exits 1 with a log line that names
 * the variable.
 */
export async function runSink<N extends SinkName, E extends z.ZodRawShape>(
  declaration: SinkDeclaration<N, E>,
  env: Readonly<Record<string, string | undefined>> = processEnv(),
): Promise<void> {
  const name = declaration.name;
  try {
    const e = loadDeclaredSinkEnv(declaration, env);
    const type = sinkService(name).type;
    const common = serviceConfig(e);
    const logger = createLogger({ service: name, level: common.logLevel });
    const tracing = startTracing({
      serviceName: name,
      ...(common.otlpTracesEndpoint ? { otlpEndpoint: common.otlpTracesEndpoint } : {}),
    });
    const registry = createMetricsRegistry(name);
    const health = new HealthState();
    const prefix = e.LEADFLOW_TOPIC_PREFIX;
    const topics = sinkTopics(type, prefix);
    const groupId = `${prefix}leadflow-${name}`;
    const clientId = `${prefix}leadflow-${name}-${e.LEADFLOW_INSTANCE_ID ?? process.pid}`;
    const kafka = createKafka({ brokers: common.kafkaBrokers, clientId, logger, security: common.kafkaSecurity });
    const offers = new OfferTable({ kafka, logger, clientId, topic: topics.offers });
    const sink = declaration.create({ env: e, logger, registry });
    const runner = new SinkRunner({
      name,
      kafka,
      sink,
      offers,
      keyring: e.LEADFLOW_SECRET_KEYS,
      topics,
      groupId,
      limits: sinkLimits(e),
      retry: retryPolicy(e),
      logger,
      metrics: createSinkMetrics(registry),
      health,
    });
    const ops = await startOpsServer({ host: common.host, port: e.LEADFLOW_SINK_PORT, health, registry });
    onShutdown(
      [
        () => runner.stop(Math.max(1_000, common.shutdownTimeoutMs - 3_000)),
        () => new Promise<void>((r) => ops.close(() => r())),
        () => tracing.shutdown(),
      ],
      { logger, timeoutMs: common.shutdownTimeoutMs },
    );
    await runner.start();
    logger.info(
      { topics: topics.routes.source, group: groupId, kafka: describeKafkaSecurity(common.kafkaSecurity) },
      'sink started',
    );
  } catch (err) {
    process.stderr.write(
      `${JSON.stringify({ level: 'fatal', service: name, msg: `${name} failed to start`, error: err instanceof Error ? err.message : String(err) })}\n`,
    );
    process.exit(1);
  }
}
