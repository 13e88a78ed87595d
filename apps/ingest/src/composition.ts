import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Kafka } from 'kafkajs';
import type { Registry } from 'prom-client';
import { DLQ_STAGES, Topics } from '@leadflow/lead-model';
import { createKafka, describeKafkaSecurity } from '@leadflow/kafka';
import {
  createLogger,
  createMetricsRegistry,
  exportReadiness,
  HealthState,
  type Logger,
} from '@leadflow/observability';
import { OfferDestinationPublisher, OfferTable } from '@leadflow/offer-table';
import { JwtVerifier, StaticTokens } from '@leadflow/access';
import { AuditLog } from '@leadflow/audit';
import { Authenticator } from './auth/authenticate';
import { DestinationStore } from './destinations/destination-store';
import { OfferTableView } from './destinations/offer-table-view';
import { DestinationService } from './destinations/destination.service';
import { configureHttp } from './http/http-surface';
import { SINGLE_BODY_LIMIT } from './common/json-body';
import { createIngestMetrics } from './common/metrics';
import { NestPinoLogger, traceRequests } from '@leadflow/http-shell';
import { buildOpenApiDocument } from './http/openapi';
import { buildAsyncApiForIngest } from './http/asyncapi';
import { ProblemFilter } from './http/problem.filter';
import type { IngestConfig } from './ingest.config';
import { IngestModule } from './ingest.module';
import { LeadService } from './leads/lead.service';
import { BrokerProbe } from './publishing/broker-probe';
import { LeadPublisher } from './publishing/lead-publisher';
import { keepTrying } from './common/background';
import { createAutoReplay } from './replay/auto-replay.wiring';
import { StatusAggregator } from './status/status-aggregator';
import { OfferStatusIndex } from './status/status-index';
import { StatusView } from './status/status-view';

/** The topics the ingest reads and writes; tests point an instance at topics of their own. */
export interface IngestTopics {
  readonly ingested: string;
  readonly delivered: string;
  readonly offerDestinations: string;
  /** Dead-letter topic of every stage, by stage. */
  readonly deadLetters: Readonly<Record<string, string>>;
  /** Replay ledger of auto-replay (default `leads.replay.ledger`). */
  readonly replayLedger?: string;
  /** Audit trail (default `leads.audit`). */
  readonly audit?: string;
  /** Offer status counted per input partition (`offers.status`): what the status answer is read from. */
  readonly offerStatus: string;
  /** Leads sinks hold for a quota (`offers.quota-waits`); unset, the status shows none. */
  readonly quotaWaits?: string;
}

export function defaultIngestTopics(): IngestTopics {
  return {
    ingested: Topics.ingested,
    delivered: Topics.delivered,
    offerDestinations: Topics.offerDestinations,
    deadLetters: Object.fromEntries(DLQ_STAGES.map((stage) => [stage, Topics.dlq(stage)])),
    offerStatus: Topics.offerStatus,
    quotaWaits: Topics.quotaWaits,
  };
}

export interface IngestOptions {
  readonly config: IngestConfig;
  readonly topics?: IngestTopics;
  readonly logger?: Logger;
  /** Kafka client id (and prefix of this instance's consumer groups). */
  readonly clientId?: string;
  /** A Kafka client of the caller's; by default one is built from the configuration. */
  readonly kafka?: Kafka;
}

export interface Ingest {
  readonly app: NestFastifyApplication;
  readonly health: HealthState;
  readonly registry: Registry;
  /** Connects to Kafka in the background (retrying until it can); HTTP answers 503 until then. */
  start(): void;
  /** Resolves once leads can be accepted and offer configuration is loaded. */
  whenReady(): Promise<void>;
  /** Listens on the configured host and port; returns the address. */
  listen(): Promise<string>;
  /**
   * Graceful stop: not ready, no new connections, in-flight requests finish (their leads are
   * acknowledged or answered 503), then Kafka clients disconnect.
   */
  close(): Promise<void>;
}

/**
 * The composition root: builds every collaborator from the configuration, wires them into the Nest
 * application and owns their lifecycle.
 */
export async function createIngest(options: IngestOptions): Promise<Ingest> {
  const { config } = options;
  const topics = options.topics ?? defaultIngestTopics();
  const logger = options.logger ?? createLogger({ service: 'ingest', level: config.logLevel });
  const clientId = options.clientId ?? 'leadflow-ingest';
  const kafka: Kafka =
    options.kafka ??
    createKafka({
      brokers: config.kafkaBrokers,
      clientId,
      logger: logger.child({ component: 'kafka' }),
      security: config.kafkaSecurity,
    });
  const registry = createMetricsRegistry('ingest');
  const metrics = createIngestMetrics(registry, () => publisher.backlog);
  const health = new HealthState();
  exportReadiness(registry, health);
  const stop = new AbortController();

  const publisher = new LeadPublisher({
    kafka,
    topic: topics.ingested,
    logger,
    lingerMs: config.produceLingerMs,
    maxBatch: config.produceMaxBatch,
    onFlush: (size, ms, ok) => {
      metrics.produceBatchSize.observe(size);
      metrics.produceLatency.observe({ outcome: ok ? 'ok' : 'error' }, ms / 1000);
    },
  });
  const probe = new BrokerProbe({ kafka, topic: topics.ingested });
  const destinationWriter = new OfferDestinationPublisher({ kafka, topic: topics.offerDestinations });
  const audit = new AuditLog(kafka, topics.audit ?? Topics.audit);
  const index = new OfferStatusIndex();
  const table = new OfferTableView(() => new OfferTable({ kafka, logger, clientId, topic: topics.offerDestinations }));
  const autoReplay = createAutoReplay({ kafka, logger, registry, topics, offers: table, index, audit });
  const statusView = new StatusView({
    registry,
    kafka,
    logger,
    index,
    topic: topics.offerStatus,
    ...(topics.quotaWaits ? { quotaWaitsTopic: topics.quotaWaits } : {}),
    clientId,
    onValidationPassed: (receipt) => autoReplay.onDelivery(receipt),
  });
  // Every instance counts its share of receipts and dead letters into offers.status (one group, partitions split).
  const aggregator = config.statusAggregator
    ? new StatusAggregator({
        registry,
        kafka,
        logger,
        index,
        syncView: (timeoutMs) => statusView.sync(timeoutMs),
        deliveredTopic: topics.delivered,
        deadLetterTopics: topics.deadLetters,
        statusTopic: topics.offerStatus,
        // `leadflow-ingest-offer-status` in production; a test instance's own group.
        groupId: `${clientId}-offer-status`,
      })
    : undefined;

  const leads = new LeadService(publisher, metrics);
  const destinations = new DestinationService({
    store: new DestinationStore(table),
    writer: destinationWriter,
    leads,
    index,
    keyring: config.keyring,
    urlSigningKey: config.urlSigningKey,
    publicUrl: config.publicUrl,
    audit,
  });

  const app = await NestFactory.create<NestFastifyApplication>(
    IngestModule.register({
      leads,
      destinations,
      ops: {
        health,
        registry,
        openApi: buildOpenApiDocument(config.publicUrl),
        asyncApi: buildAsyncApiForIngest(),
        ready: async () => {
          if (!publisher.connected) return { ready: false, reason: 'lead producer not connected' };
          if (!table.caughtUp) return { ready: false, reason: 'offer table not loaded' };
          if (!statusView.caughtUp) return { ready: false, reason: 'offer status not loaded' };
          if (!(await probe.reachable())) return { ready: false, reason: 'broker unreachable' };
          return { ready: true, reason: 'ready' };
        },
      },
    }),
    // maxParamLength: an offer id of any length reaches the handler, which refuses one over 256 characters
    // (lead-model LIMITS.offerId) with problem details; Fastify's router would answer a raw 414.
    new FastifyAdapter({
      bodyLimit: SINGLE_BODY_LIMIT,
      return503OnClosing: true,
      routerOptions: { maxParamLength: 16 * 1024 },
    }),
    { bodyParser: false, logger: new NestPinoLogger(logger), abortOnError: false },
  );
  const fastify = app.getHttpAdapter().getInstance();
  // First: the hooks and handlers after it run in the request's span.
  traceRequests(fastify);
  await configureHttp(fastify, {
    authenticator: new Authenticator(
      new StaticTokens(config.staticTokens),
      config.oidc ? new JwtVerifier(config.oidc) : undefined,
    ),
    onRefusal: (status, code) => metrics.authRefusals.inc({ status: String(status), reason: code }),
    urlSigningKey: config.urlSigningKey,
    ...(config.rateLimit ? { rateLimit: config.rateLimit } : {}),
  });
  fastify.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    // Route template only: the query can hold a `sig` credential, bodies hold PII.
    logger.debug(
      { method: request.method, route, status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
      'request',
    );
  });
  app.useGlobalFilters(new ProblemFilter(logger));
  await app.init();
  await fastify.ready();

  let started: Promise<void> | undefined;
  let closed: Promise<void> | undefined;
  const start = (): Promise<void> =>
    (started ??= (async () => {
      const producerUp = publisher.start();
      const writerUp = keepTrying('offer destination producer connect', logger, stop.signal, () =>
        destinationWriter.connect(),
      );
      const tableUp = keepTrying('offer table load', logger, stop.signal, () => table.start());
      const auditUp = keepTrying('audit producer connect', logger, stop.signal, () => audit.connect());
      const statusUp = keepTrying('offer status load', logger, stop.signal, () => statusView.start());
      // The aggregator takes counts over from the view: it starts once the view is read.
      if (aggregator)
        void statusUp.then(() =>
          keepTrying('offer status aggregator start', logger, stop.signal, () => aggregator.start()),
        );
      await Promise.all([producerUp, writerUp, tableUp, auditUp, statusUp]);
      if (!stop.signal.aborted) {
        health.setReady(true);
        logger.info(
          { topics: { ingested: topics.ingested }, kafka: describeKafkaSecurity(config.kafkaSecurity) },
          'ingest ready',
        );
      }
    })());

  return {
    app,
    health,
    registry,
    start: () => void start(),
    whenReady: () => start(),
    listen: async () => {
      await app.listen({ port: config.port, host: config.host });
      const address = await app.getUrl();
      logger.info({ address }, 'ingest listening');
      return address;
    },
    close: () =>
      (closed ??= (async () => {
        stop.abort();
        health.setReady(false, 'shutting down');
        // HTTP first: no new requests, in-flight ones finish (their produces are acknowledged or fail).
        await app.close();
        await publisher.close();
        await Promise.allSettled([
          (aggregator?.stop() ?? Promise.resolve()).then(() => statusView.stop()).then(() => autoReplay.stop()),
          table.stop(),
          destinationWriter.disconnect(),
          audit.disconnect(),
          probe.close(),
        ]);
        logger.info('ingest stopped');
      })()),
  };
}
