import { DESTINATION_TYPES, DLQ_STAGES, Topics } from '@leadflow/lead-model';
import { createKafka, createProducer } from '@leadflow/kafka';
import {
  createLogger,
  createMetricsRegistry,
  HealthState,
  onShutdown,
  startOpsServer,
  startTracing,
} from '@leadflow/observability';
import { OfferTable } from '@leadflow/offer-table';
import { smtpMailer } from './mailer';
import { NoticeLedger } from './notice-ledger';
import { NoticePlanner } from './notice-planner';
import { Notifier } from './notifier';
import { loadNotifierConfig, processEnv } from './notifier.config';
import { createNotifierMetrics } from './notifier-metrics';

/**
 * The notifier service: configuration read once, tracing, logs, metrics, `/healthz` `/readyz` `/metrics`,
 * the offer table, its memory read back from `notices.sent`, then the consumer; graceful shutdown on SIGTERM.
 */
async function main(): Promise<void> {
  const name = 'notifier';
  try {
    const cfg = loadNotifierConfig(processEnv());
    const logger = createLogger({ service: name, level: cfg.service.logLevel });
    const tracing = startTracing({
      serviceName: name,
      ...(cfg.service.otlpTracesEndpoint ? { otlpEndpoint: cfg.service.otlpTracesEndpoint } : {}),
    });
    const registry = createMetricsRegistry(name);
    const health = new HealthState();
    const prefix = cfg.topicPrefix;
    const clientId = `${prefix}leadflow-${name}-${cfg.instanceId}`;
    const kafka = createKafka({
      brokers: cfg.service.kafkaBrokers,
      clientId,
      logger,
      security: cfg.service.kafkaSecurity,
    });
    const offers = new OfferTable({ kafka, logger, clientId, topic: `${prefix}${Topics.offerDestinations}` });
    const producer = createProducer(kafka);
    const ledger = new NoticeLedger(kafka, producer, `${prefix}${Topics.noticesSent}`, logger);
    const planner = new NoticePlanner(cfg.planner);
    const ops = await startOpsServer({ host: cfg.service.host, port: cfg.port, health, registry });
    const notifier = new Notifier({
      kafka,
      producer,
      groupId: `${prefix}leadflow-${name}`,
      topics: {
        delivered: `${prefix}${Topics.delivered}`,
        replayLedger: `${prefix}${Topics.replayLedger}`,
        deadLetters: Object.fromEntries(DLQ_STAGES.map((s) => [s, `${prefix}${Topics.dlq(s)}`])),
        notifierDlq: `${prefix}${Topics.notifierDlq}`,
      },
      offers,
      planner,
      ledger,
      mailer: smtpMailer(cfg.smtp),
      from: cfg.from,
      unsubscribeUrl: cfg.unsubscribeUrl,
      replayHint: cfg.replayHint,
      retry: cfg.retry,
      sessionTimeoutMs: cfg.sessionTimeoutMs,
      recordDelayMs: cfg.recordDelayMs,
      tickMs: Math.min(1_000, Math.max(100, Math.floor(cfg.planner.digestWindowMs / 10))),
      logger,
      metrics: createNotifierMetrics(registry),
      health,
    });
    onShutdown(
      [
        () => notifier.stop(),
        () => offers.stop(),
        () => producer.disconnect(),
        () => new Promise<void>((r) => ops.close(() => r())),
        () => tracing.shutdown(),
      ],
      { logger, timeoutMs: cfg.service.shutdownTimeoutMs },
    );
    await producer.connect();
    await offers.start();
    const records = await ledger.load(`${clientId}-ledger-${Date.now().toString(36)}`);
    planner.restore(records);
    await notifier.start();
    logger.info(
      { restored: records.length, sinks: DESTINATION_TYPES.length, smtp: `${cfg.smtp.host}:${cfg.smtp.port}` },
      'notifier started',
    );
  } catch (err) {
    process.stderr.write(
      `${JSON.stringify({ level: 'fatal', service: name, msg: `${name} failed to start`, error: err instanceof Error ? err.message : String(err) })}\n`,
    );
    process.exit(1);
  }
}

void main();
