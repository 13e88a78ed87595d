import { randomBytes, randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { createProducer } from '@leadflow/kafka';
import { Registry } from 'prom-client';
import {
  DeliveryReceiptSchema,
  leadCloudEventHeaders,
  type DeliveryReceipt,
  type DestinationOf,
  type DestinationType,
  type Lead,
} from '@leadflow/lead-model';
import { createLogger, HealthState } from '@leadflow/observability';
import { OfferDestinationPublisher, OfferTable, parseKeyring, sealDestination } from '@leadflow/offer-table';
import {
  createSinkMetrics,
  sinkTopics,
  SinkRunner,
  type RetryPolicy,
  type Sink,
  type SinkLimits,
  type SinkTopics,
} from '@leadflow/sink-runtime';
import {
  createTestTopics,
  readTopic,
  testKafka,
  uniqueName,
  type ReadOptions,
  type ReadRecord,
} from '@leadflow/testing';

/** A delivery receipt as the sinks write it to `leads.delivered`. */
export type Receipt = DeliveryReceipt;

export interface SinkFixtureOptions<T extends DestinationType> {
  readonly type: T;
  readonly sink: Sink<T>;
  /** Partitions of the route topic (1 keeps every lead in order on one partition). */
  readonly partitions?: number;
  readonly limits?: Partial<SinkLimits>;
  readonly retry?: Partial<RetryPolicy>;
  /** Where the runtime's metrics go; pass one to assert on them. */
  readonly registry?: Registry;
}

export interface SinkFixture<T extends DestinationType> {
  readonly kafka: Kafka;
  /** Prefix of every topic and the group of this fixture (unique per test). */
  readonly prefix: string;
  readonly topics: SinkTopics;
  readonly routeTopic: string;
  readonly registry: Registry;
  /** Publishes the offer's destination (secrets sealed, as ingest does) on the fixture's offers topic. */
  configure(offerId: string, destination: DestinationOf<T>, version?: number): Promise<void>;
  /**
   * Produces leads to the route topic with their CloudEvents headers, keyed by offer or by `key` (the router keys
   * a destination with a per-account quota by the account).
   */
  send(leads: readonly Lead[], key?: (lead: Lead) => string): Promise<void>;
  /** Starts the sink runtime over the fixture's topics (once configured: the offer table is read first). */
  start(): Promise<void>;
  /**
   * Starts one more instance of the sink in the same consumer group (its own runtime, offer table and, through
   * `sink`, its own quota state), as another process would; resolves once it runs.
   */
  instance(sink: Sink<T>, registry?: Registry): Promise<{ stop(deadlineMs?: number): Promise<void> }>;
  stop(deadlineMs?: number): Promise<void>;
  receipts(count: number, opts?: Omit<ReadOptions, 'count'>): Promise<Receipt[]>;
  deadLetters(count: number, opts?: Omit<ReadOptions, 'count'>): Promise<ReadRecord[]>;
  /** Stops the runtime if running, deletes the topics. */
  close(): Promise<void>;
}

const keyring = parseKeyring(`t1:${randomBytes(32).toString('base64')}`);

let leadsMade = 0;

/**
 * A valid lead of `offerId` with a unique id and recognisable customer fields. Names and e-mail are unique too: a
 * counter, then randomness for other processes (24 random bits alone gave two of 1,000 leads the same e-mail about
 * once in 30 runs, and Marketo, keyed on e-mail, stored them as one person).
 */
export function testLead(offerId: string, overrides: Partial<Lead> = {}): Lead {
  const n = `${(++leadsMade).toString(36)}${randomBytes(3).toString('hex')}`;
  return {
    leadId: randomUUID(),
    offerId,
    source: 'AzureMarketplace',
    action: 'INS',
    offerTitle: 'Fabrikam Suite',
    customer: {
      firstName: `Kim${n}`,
      lastName: 'Doe',
      email: `kim.${n}@fabrikam.example`,
      company: 'Fabrikam',
      phone: '+1 425 555 0100',
      country: 'US',
      title: 'CTO',
    },
    description: 'Wants a demo',
    occurredAt: new Date().toISOString(),
    isTest: false,
    piiSuppressed: false,
    ...overrides,
  };
}

/**
 * One sink under test on the real broker: unique route, dead-letter, receipt and offers topics, the offer table,
 * the destinations sealed as ingest seals them, and the shared runtime driving the sink. Tests assert on what
 * reaches the destination and on the topics, never on the runtime's internals.
 */
export async function sinkFixture<T extends DestinationType>(opts: SinkFixtureOptions<T>): Promise<SinkFixture<T>> {
  const kafka = testKafka();
  const prefix = `${uniqueName(opts.type.replace(/[^a-z]/g, ''))}.`;
  const topics = sinkTopics(opts.type, prefix);
  const routeTopic = `${prefix}leads.route.${opts.type}`;
  const dropTopics = await createTestTopics(
    kafka,
    [routeTopic, topics.deadLetter, topics.delivered, topics.offers],
    opts.partitions ?? 1,
  );
  const publisher = new OfferDestinationPublisher({ kafka, topic: topics.offers });
  await publisher.connect();
  const producer = createProducer(kafka);
  await producer.connect();
  const registry = opts.registry ?? new Registry();
  const logger = createLogger({ service: `${opts.type}-sink-test`, level: 'silent' });
  let runner: SinkRunner<T> | undefined;
  const instances: SinkRunner<T>[] = [];

  return {
    kafka,
    prefix,
    topics,
    routeTopic,
    registry,
    configure: (offerId, destination, version = 1) =>
      publisher.put({
        offerId,
        version,
        destination: sealDestination(destination, keyring, offerId),
        updatedAt: new Date().toISOString(),
      }),
    async send(leads, key = (l) => l.offerId) {
      for (let i = 0; i < leads.length; i += 500) {
        await producer.send({
          topic: routeTopic,
          acks: -1,
          messages: leads.slice(i, i + 500).map((l) => ({
            key: key(l),
            value: JSON.stringify(l),
            headers: leadCloudEventHeaders(l, { source: '/test' }),
          })),
        });
      }
    },
    async start() {
      runner = newRunner(opts.sink, registry);
      await runner.start();
    },
    async instance(sink, instanceRegistry = new Registry()) {
      const r = newRunner(sink, instanceRegistry);
      instances.push(r);
      await r.start();
      return { stop: (deadlineMs = 2_000) => r.stop(deadlineMs) };
    },
    async stop(deadlineMs = 2_000) {
      await runner?.stop(deadlineMs);
      runner = undefined;
    },
    async receipts(count, readOpts) {
      const records = await readTopic(kafka, topics.delivered, { timeoutMs: 20_000, ...readOpts, count });
      // Every receipt a sink writes must be what docs/asyncapi.yaml states for leads.delivered (lead-model's schema).
      return records.map((r) => {
        const receipt: unknown = JSON.parse(r.value ?? '{}');
        const checked = DeliveryReceiptSchema.safeParse(receipt);
        if (!checked.success) throw new Error(`receipt breaks the contract: ${checked.error.message}`);
        return receipt as Receipt;
      });
    },
    deadLetters: (count, readOpts) => readTopic(kafka, topics.deadLetter, { timeoutMs: 20_000, ...readOpts, count }),
    async close() {
      await runner?.stop(2_000);
      runner = undefined;
      for (const r of instances.splice(0)) await r.stop(2_000).catch(() => undefined);
      await producer.disconnect();
      await publisher.disconnect();
      await dropTopics();
    },
  };

  function newRunner(sink: Sink<T>, metricsRegistry: Registry): SinkRunner<T> {
    return new SinkRunner({
      kafka,
      sink,
      offers: new OfferTable({ kafka, logger, clientId: uniqueName('offers'), topic: topics.offers }),
      keyring,
      topics,
      groupId: `${prefix}sink`,
      limits: { maxInFlight: 256, maxInFlightPerOffer: 32, attemptTimeoutMs: 5_000, ...opts.limits },
      retry: { maxAttempts: 3, baseDelayMs: 50, maxDelayMs: 200, maxElapsedMs: 10_000, ...opts.retry },
      logger,
      metrics: createSinkMetrics(metricsRegistry),
      health: new HealthState(),
    });
  }
}
