import { randomBytes } from 'node:crypto';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Kafka } from 'kafkajs';
import { Gauge, Counter, type Registry } from 'prom-client';
import { AuditLog } from '@leadflow/audit';
import { DeadLetterStore } from '@leadflow/dead-letters';
import { createKafka, describeKafkaSecurity } from '@leadflow/kafka';
import {
  createLogger,
  createMetricsRegistry,
  exportReadiness,
  HealthState,
  type Logger,
} from '@leadflow/observability';
import { OfferTable } from '@leadflow/offer-table';
import { accessPolicy } from './access/policy';
import type { AccessPolicy } from './access/access';
import { ConsoleQueries } from './api/console-queries';
import type { ConsoleConfig } from './console.config';
import { ConsoleModule } from './console.module';
import { installGate } from './http/gate';
import { NestPinoLogger, traceRequests } from '@leadflow/http-shell';
import { buildOpenApiDocument } from './http/openapi';
import { ProblemFilter } from './http/problem.filter';
import { ConsoleIndex } from './index/console-index';
import { consoleTopics, type ConsoleTopics } from './index/console-topics';
import { IndexFeed } from './index/index-feed';
import { emailHasher, type IndexEvent } from './index/index-events';
import { OfferDirectory } from './index/offer-directory';
import { OfferQuotaWaits } from './index/quota-waits';
import { LiveHub } from './live/live-hub';
import { ReplayJobs } from './replay/replay-jobs';
import { loadStaticFiles } from './web/static-files';

export interface ConsoleOptions {
  readonly config: ConsoleConfig;
  /** The built front end; `config.webDir` wins. */
  readonly defaultWebDir: string;
  readonly logger?: Logger;
  readonly kafka?: Kafka;
  /** The access policy; by default libs/access's decisions over the configured identity settings. */
  readonly policy?: AccessPolicy;
}

export interface Console {
  readonly app: NestFastifyApplication;
  readonly health: HealthState;
  readonly index: ConsoleIndex;
  readonly topics: ConsoleTopics;
  /** Reads the topics into the index (in the background); ready once caught up. */
  start(): void;
  whenReady(): Promise<void>;
  listen(): Promise<string>;
  close(): Promise<void>;
}

/** What a live change tells the open pages: its kind, its offer and a summary without customer data. */
function liveSummary(ev: IndexEvent): [string, string | null, unknown] | undefined {
  switch (ev.kind) {
    case 'dead-lettered': {
      const offerId = ev.deadLetter.offerId ?? null;
      return ['dead-letter', offerId, { stage: ev.deadLetter.stage, errorClass: ev.deadLetter.errorClass, offerId }];
    }
    case 'delivered':
      return ['delivered', ev.offerId, { destination: ev.destination, offerId: ev.offerId }];
    case 'replayed': {
      const offerId = ev.entry.offerId ?? null;
      return ['replayed', offerId, { offerId, by: ev.entry.by }];
    }
    default:
      return undefined;
  }
}

function consoleMetrics(registry: Registry, index: ConsoleIndex, live: LiveHub) {
  const sizes = index.stats.bind(index);
  new Gauge({
    name: 'leadflow_console_index_entries',
    help: 'Entries held by the console index, by kind',
    labelNames: ['kind'],
    registers: [registry],
    collect() {
      const s = sizes();
      this.set({ kind: 'dead_letters' }, s.deadLetters);
      this.set({ kind: 'leads' }, s.leads);
      this.set({ kind: 'ledger' }, s.ledger);
      this.set({ kind: 'offers' }, s.offers);
    },
  });
  new Gauge({
    name: 'leadflow_console_sse_clients',
    help: 'Open live-update streams',
    registers: [registry],
    collect() {
      this.set(live.clients);
    },
  });
  return new Counter({
    name: 'leadflow_console_http_requests_total',
    help: 'HTTP requests by route template and status',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
}

/** The composition root: builds every collaborator, wires them into the Nest application, owns their lifecycle. */
export async function createConsole(options: ConsoleOptions): Promise<Console> {
  const { config } = options;
  const logger = options.logger ?? createLogger({ service: 'console', level: config.logLevel });
  const clientId = 'leadflow-console';
  const kafka =
    options.kafka ??
    createKafka({
      brokers: config.kafkaBrokers,
      clientId,
      logger: logger.child({ component: 'kafka' }),
      security: config.kafkaSecurity,
    });
  const topics = consoleTopics(config.topicPrefix);
  const registry = createMetricsRegistry('console');
  const health = new HealthState();
  // `leadflow_ready`, as every service exports it (the NoReadyInstance alert reads it).
  exportReadiness(registry, health);
  const index = new ConsoleIndex({
    maxDeadLetters: config.maxDeadLetters,
    maxLeads: config.maxLeads,
    recentPerOffer: 20,
  });
  const live = new LiveHub();
  const requests = consoleMetrics(registry, index, live);
  // The e-mail key lives in this process only: the index is rebuilt at every start, so no hash outlives it.
  const hashEmail = emailHasher(randomBytes(32));
  const offers = new OfferDirectory();
  const table = new OfferTable({
    kafka,
    logger,
    clientId: `${config.topicPrefix}${clientId}`,
    topic: topics.offerDestinations,
  });
  table.onChange((offerId, record) => offers.apply(offerId, record));
  const quotaWaits = new OfferQuotaWaits();
  const feed = new IndexFeed({
    kafka,
    logger,
    topics,
    index,
    hashEmail,
    groupPrefix: `${config.topicPrefix}${clientId}-index`,
    fetchMaxBytes: config.fetchMaxBytes,
    topicCheckMs: config.topicCheckMs,
    registry,
    quotaWaits,
    onLive: (ev) => {
      const s = liveSummary(ev);
      if (s) live.publish(s[0], s[1], s[2]);
    },
    // Only the offer: its page reloads and reads the waits as its caller may see them.
    onLiveQuotaWait: (offerId) => live.publish('quota-wait', offerId, { offerId }),
  });
  const store = new DeadLetterStore({
    kafka,
    topics: topics.engine,
    groupPrefix: `${config.topicPrefix}${clientId}-replay`,
  });
  const audit = new AuditLog(kafka, topics.audit);
  const jobs = new ReplayJobs(store, logger, audit);
  const policy = options.policy ?? accessPolicy(config.identity);
  const queries = new ConsoleQueries({
    index,
    offers,
    quotaWaits,
    ready: () => feed.ready,
    ...(config.traceUrl ? { traceUrl: config.traceUrl } : {}),
  });
  const files = loadStaticFiles(config.webDir ?? options.defaultWebDir);

  const app = await NestFactory.create<NestFastifyApplication>(
    ConsoleModule.register({
      api: { policy, queries, index, jobs, live, store, hashEmail, logger, audit },
      ops: {
        health,
        registry,
        files,
        openApi: buildOpenApiDocument(config.publicUrl),
        ready: () =>
          !feed.ready
            ? { ready: false, reason: 'index still reading the topics' }
            : !table.caughtUp
              ? { ready: false, reason: 'offer table not loaded' }
              : { ready: true, reason: 'ready' },
      },
    }),
    // 128 KiB: the largest valid request (a filter of long offer lists) JSON-escaped fits with room; beyond it, 413.
    new FastifyAdapter({ bodyLimit: 128 * 1024, return503OnClosing: true, routerOptions: { maxParamLength: 1024 } }),
    { logger: new NestPinoLogger(logger), abortOnError: false },
  );
  const fastify = app.getHttpAdapter().getInstance();
  // First: the hooks and handlers after it run in the request's span.
  traceRequests(fastify);
  installGate(fastify, policy);
  fastify.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    requests.inc({ method: request.method, route, status: String(reply.statusCode) });
  });
  app.useGlobalFilters(new ProblemFilter(logger));
  await app.init();
  await fastify.ready();

  const stop = new AbortController();
  let started: Promise<void> | undefined;
  let closed: Promise<void> | undefined;
  const start = (): Promise<void> =>
    (started ??= (async () => {
      const retry = async (what: string, attempt: () => Promise<unknown>) => {
        for (let delay = 500; !stop.signal.aborted; delay = Math.min(delay * 2, 10_000)) {
          try {
            await attempt();
            return;
          } catch (err) {
            if (stop.signal.aborted) return;
            logger.warn({ err: { message: (err as Error).message }, retryInMs: delay }, `${what} failed; retrying`);
            await new Promise((r) => setTimeout(r, delay));
          }
        }
      };
      await Promise.all([
        retry('offer table load', () => table.start()),
        retry('index feed', async () => {
          try {
            await feed.start();
          } catch (err) {
            await feed.stop();
            throw err;
          }
        }),
      ]);
      if (!stop.signal.aborted) {
        health.setReady(true);
        logger.info({ ...index.stats(), kafka: describeKafkaSecurity(config.kafkaSecurity) }, 'console ready');
      }
    })());

  return {
    app,
    health,
    index,
    topics,
    start: () => void start(),
    whenReady: () => start(),
    listen: async () => {
      await app.listen({ port: config.port, host: config.host });
      const address = await app.getUrl();
      logger.info({ address }, 'console listening');
      return address;
    },
    close: () =>
      (closed ??= (async () => {
        stop.abort();
        health.setReady(false, 'shutting down');
        live.close();
        await jobs.stop();
        await app.close();
        await Promise.allSettled([feed.stop(), table.stop(), audit.disconnect()]);
        logger.info('console stopped');
      })()),
  };
}
