import type { Admin, Consumer, Kafka } from 'kafkajs';
import { Registry } from 'prom-client';
import { trackConsumerLag } from '@leadflow/kafka';
import { DESTINATION_TYPES, TOPIC_SPECS, Topics } from '@leadflow/lead-model';
import { HealthState, type Logger } from '@leadflow/observability';
import { OfferTable } from '@leadflow/offer-table';
import { createRouterMetrics, type RouterMetrics } from './router.metrics';
import { TopicEnsurer } from './pipeline/topic-ensurer';
import { RouterTracing } from './pipeline/trace';
import { brokerRefusal, TransactionalBatches } from './pipeline/transactional-batches';
import { planBatch } from './routing/plan-batch';
import { outboundFor } from './routing/plan-record';
import { errorSummary } from '@leadflow/retry';
import type { RouterTopics } from './routing/router-topics';

export interface RouterOptions {
  readonly kafka: Kafka;
  readonly logger: Logger;
  readonly topics: RouterTopics;
  /** Consumer group of `leads.ingested`; default `leadflow-router`. */
  readonly groupId?: string;
  /** Prefix of the per-partition transactional ids; default the group id. */
  readonly transactionalIdPrefix?: string;
  /** A partition's transactions start at least this far apart (RouterConfig); default 30 ms. */
  readonly transactionIntervalMs?: number;
  /** Names the offer table's consumer group; default the group id. */
  readonly clientId?: string;
  readonly registry?: Registry;
  readonly health?: HealthState;
  readonly now?: () => Date;
}

export interface Router {
  /** The offer configuration the router routes by (tests wait on it; ops may inspect it). */
  readonly offers: OfferTable;
  readonly health: HealthState;
  readonly registry: Registry;
  readonly metrics: RouterMetrics;
  /**
   * Loads the offer table up to the end of its topic, then starts consuming. Resolves once consuming;
   * if it fails, everything it connected is disconnected again and it may be called again.
   */
  start(): Promise<void>;
  /** Stops consuming (the in-flight batch's transaction commits or aborts first), then disconnects. */
  stop(): Promise<void>;
}

const DEFAULT_GROUP = 'leadflow-router';

/** Partitions of a topic the router creates on first use: those of the contract topic it is a variant of. */
function partitionsFor(topics: RouterTopics): (topic: string) => number {
  const spec = (name: string) => TOPIC_SPECS.find((s) => s.name === name)?.partitions ?? 6;
  return (topic) => {
    if (topic === topics.deadLetter) return spec(Topics.dlq('router'));
    const type = DESTINATION_TYPES.find((t) => topic === topics.route(t) || topic.startsWith(`${topics.route(t)}.`));
    return spec(type ? Topics.route(type) : Topics.ingested);
  };
}

/**
 * The router's composition root: consumes `leads.ingested`, decides each lead's topic from the offer
 * table, and writes routed leads and dead letters together with the consumed offsets in one Kafka
 * transaction per batch.
 */
export function createRouter(opts: RouterOptions): Router {
  const { kafka, topics } = opts;
  const groupId = opts.groupId ?? DEFAULT_GROUP;
  const logger = opts.logger.child({ component: 'router' });
  const registry = opts.registry ?? new Registry();
  const health = opts.health ?? new HealthState();
  const metrics = createRouterMetrics(registry);
  const now = opts.now ?? (() => new Date());
  const offers = new OfferTable({
    kafka,
    logger: opts.logger,
    clientId: opts.clientId ?? groupId,
    topic: topics.offers,
  });

  let admin: Admin | undefined;
  let consumer: Consumer | undefined;
  let batches: TransactionalBatches | undefined;
  let stopping = false;

  const disconnect = async (): Promise<void> => {
    const c = consumer;
    const b = batches;
    const a = admin;
    consumer = undefined;
    batches = undefined;
    admin = undefined;
    // Order matters: the consumer finishes its in-flight batch (and transaction) before producers go.
    if (c) await c.disconnect().catch((err: unknown) => logger.warn({ err }, 'consumer disconnect failed'));
    if (b) await b.close();
    await offers.stop().catch((err: unknown) => logger.warn({ err }, 'offer table stop failed'));
    if (a) await a.disconnect().catch(() => undefined);
  };

  const start = async (): Promise<void> => {
    if (consumer) throw new Error('router already started');
    stopping = false;
    health.setReady(false, 'loading offer configuration');
    try {
      const a = kafka.admin();
      admin = a;
      await a.connect();
      await offers.start();
      if (stopping) return;
      health.setReady(false, 'joining the consumer group');

      const c = kafka.consumer({
        groupId,
        // Only committed records of transactional producers upstream (replays, other routers).
        readUncommitted: false,
        allowAutoTopicCreation: false,
        // A crashed router's partitions move to the others once its session times out: keep it short.
        // Batches heartbeat between produce chunks, so a large transaction does not overrun it.
        sessionTimeout: 10_000,
        heartbeatInterval: 1_000,
        // Bounds how long stop() waits for an idle fetch.
        maxWaitTimeInMs: 1_000,
      });
      consumer = c;
      trackConsumerLag(c, registry, groupId);
      const ensurer = new TopicEnsurer(a, partitionsFor(topics));
      const ctx = { topics, lookup: (offerId: string) => offers.get(offerId), now };
      const tracing = new RouterTracing(groupId);
      const b = new TransactionalBatches({
        kafka,
        admin: a,
        logger: opts.logger,
        groupId,
        transactionalIdPrefix: opts.transactionalIdPrefix ?? groupId,
        transactionIntervalMs: opts.transactionIntervalMs ?? 30,
        plan: (inbound) =>
          tracing.plan(inbound, (records) =>
            planBatch(records, ctx, async () => {
              const t0 = Date.now();
              const synced = await offers.sync();
              logger.debug(
                { synced, ms: Date.now() - t0 },
                'offer table re-read before dead-lettering an unconfigured offer',
              );
            }),
          ),
        refused: (record, err) =>
          outboundFor(
            record,
            {
              kind: 'dead-letter',
              errorClass: 'ROUTER.RECORD_REFUSED',
              message: `the broker refused the routed record (${brokerRefusal(err)}): ${errorSummary(err)}`,
            },
            ctx,
          ),
        ensureTopics: (names) => ensurer.ensure(names),
        seek: (topic, partition, offset) => c.seek({ topic, partition, offset }),
        onCommitted: (records, seconds) => {
          metrics.committed(records, seconds);
          tracing.committed(records);
        },
        onAborted: () => {
          metrics.aborted.inc();
          ensurer.forget();
        },
      });
      batches = b;

      c.on(c.events.GROUP_JOIN, ({ payload }) => {
        logger.info({ groupId, assignment: payload.memberAssignment }, 'joined the consumer group');
        b.assigned(payload.memberAssignment).catch((err: unknown) =>
          logger.warn({ err }, 'preparing producers for the assignment failed'),
        );
        if (!stopping) health.setReady(true, 'routing');
      });
      c.on(c.events.CRASH, ({ payload }) => {
        logger.error({ err: payload.error, restart: payload.restart }, 'router consumer crashed');
        if (!payload.restart) health.setDead('router consumer stopped after an error it cannot recover from');
        else health.setReady(false, 'consumer restarting');
      });
      await c.connect();
      await c.subscribe({ topic: topics.ingested, fromBeginning: true });
      await c.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        // Each input partition has its own transactional producer, and kafkajs keeps a partition's batches in order:
        // partitions can commit their transactions side by side. One at a time, a lead on the sixth partition
        // waited for five other transactions (about 25 ms each) before its own.
        partitionsConsumedConcurrently: 6,
        eachBatch: (payload) => b.handle(payload),
      });
      logger.info({ groupId, ingested: topics.ingested, offers: offers.size }, 'router consuming');
    } catch (err) {
      health.setReady(false, 'start failed');
      await disconnect();
      throw err;
    }
  };

  const stop = async (): Promise<void> => {
    stopping = true;
    health.setReady(false, 'stopping');
    await disconnect();
  };

  return { offers, health, registry, metrics, start, stop };
}
