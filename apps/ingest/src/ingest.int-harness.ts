import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { headersToStrings } from '@leadflow/kafka';
import { createLogger } from '@leadflow/observability';
import { createTestTopics, testBrokers, testKafka, uniqueName, type ReadRecord } from '@leadflow/testing';
import { createIngest, type Ingest, type IngestTopics } from './composition';
import { loadIngestConfig } from './ingest.config';

/** Credentials of the test instances (not the dev stack's). */
export const PRODUCER_TOKEN = 'test-producer-token';
export const ADMIN_TOKEN = 'test-admin-token';
export const URL_SIGNING_KEY = 'test-url-signing-key-0123456789';
export const SECRET_KEYS = `t1:${Buffer.alloc(32, 3).toString('base64')}`;

export const producerAuth = { authorization: `Bearer ${PRODUCER_TOKEN}` };
export const adminAuth = { authorization: `Bearer ${ADMIN_TOKEN}` };

export function uniqueTopics(): IngestTopics {
  return {
    ingested: uniqueName('ingest-leads'),
    delivered: uniqueName('ingest-delivered'),
    offerDestinations: uniqueName('ingest-offers'),
    deadLetters: { router: uniqueName('ingest-dlq-router'), https: uniqueName('ingest-dlq-https') },
    audit: uniqueName('ingest-audit'),
    offerStatus: uniqueName('ingest-offer-status'),
    quotaWaits: uniqueName('ingest-quota-waits'),
  };
}

export function allTopics(t: IngestTopics): string[] {
  return [
    t.ingested,
    t.delivered,
    t.offerDestinations,
    t.offerStatus,
    ...(t.quotaWaits ? [t.quotaWaits] : []),
    ...Object.values(t.deadLetters),
    ...(t.replayLedger ? [t.replayLedger] : []),
    ...(t.audit ? [t.audit] : []),
  ];
}

export interface TestIngest {
  readonly ingest: Ingest;
  readonly topics: IngestTopics;
  readonly kafka: Kafka;
  close(): Promise<void>;
}

/**
 * kafkajs' `createTopics({ waitForLeaders })` can fail with UNKNOWN_TOPIC_OR_PARTITION when other test
 * files create topics at the same moment (its metadata wait only retries LEADER_NOT_AVAILABLE). The
 * creation itself is idempotent (existing topics are left alone), so it is simply tried again.
 */
async function createTopicsWithRetry(kafka: Kafka, names: readonly string[]): Promise<() => Promise<void>> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await createTestTopics(kafka, names, 2);
    } catch (err) {
      if (attempt >= 5) throw err;
      await new Promise((r) => setTimeout(r, 300 * attempt));
    }
  }
}

/** An ingest on its own topics against the test broker (or `brokers`), built in-process. */
export async function startTestIngest(
  opts: {
    brokers?: string;
    env?: Record<string, string>;
    waitReady?: boolean;
    ownLedger?: boolean;
    /** Topics the caller created (and deletes): instances of one test sharing them. */
    topics?: IngestTopics;
  } = {},
): Promise<TestIngest> {
  const kafka = testKafka();
  const topics = opts.topics ?? {
    ...uniqueTopics(),
    ...(opts.ownLedger ? { replayLedger: uniqueName('ingest-ledger') } : {}),
  };
  const dropTopics =
    opts.brokers || opts.topics ? async () => undefined : await createTopicsWithRetry(kafka, allTopics(topics));
  const config = loadIngestConfig({
    KAFKA_BROKERS: opts.brokers ?? testBrokers().join(','),
    LEADFLOW_INGEST_TOKENS: PRODUCER_TOKEN,
    LEADFLOW_ADMIN_TOKENS: ADMIN_TOKEN,
    LEADFLOW_SECRET_KEYS: SECRET_KEYS,
    LEADFLOW_URL_SIGNING_KEY: URL_SIGNING_KEY,
    LEADFLOW_PUBLIC_URL: 'https://ingest.test',
    LEADFLOW_LOG_LEVEL: 'silent',
    // Tests send bursts from one token; the rate-limit test turns it back on with its own numbers.
    LEADFLOW_RATE_LIMIT_MAX: '0',
    ...opts.env,
  });
  const logger = createLogger({ service: 'ingest-test', level: 'silent' });
  const clientId = uniqueName('ingest-test');
  // Against a dead broker, kafkajs would keep retrying connects for ~20 s after close(): one quick retry there.
  const deadBrokerKafka = opts.brokers
    ? {
        kafka: new Kafka({
          brokers: [opts.brokers],
          clientId,
          retry: { retries: 1, initialRetryTime: 100, maxRetryTime: 200 },
          connectionTimeout: 500,
          logLevel: logLevel.NOTHING,
        }),
      }
    : {};
  const ingest = await createIngest({ config, topics, logger, clientId, ...deadBrokerKafka });
  ingest.start();
  if (opts.waitReady !== false) await ingest.whenReady();
  return {
    ingest,
    topics,
    kafka,
    close: async () => {
      await ingest.close();
      await dropTopics();
    },
  };
}

/**
 * Reads topics from the beginning for the whole test file, so each test waits for its own records
 * instead of joining a new consumer group every time.
 */
export class TopicCollector {
  readonly records: ReadRecord[] = [];
  private consumer: Consumer | undefined;

  constructor(private readonly kafka: Kafka) {}

  async start(topics: readonly string[]): Promise<void> {
    this.consumer = this.kafka.consumer({
      groupId: uniqueName('ingest-collector'),
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
    });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [...topics], fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        this.records.push({
          topic,
          partition,
          offset: message.offset,
          key: message.key?.toString('utf8') ?? null,
          value: message.value?.toString('utf8') ?? null,
          headers: headersToStrings(message.headers),
        });
      },
    });
  }

  /** Waits until `predicate` holds for the records of `topic` (or times out), then returns them. */
  async waitFor(
    topic: string,
    predicate: (records: ReadRecord[]) => boolean,
    timeoutMs = 20_000,
  ): Promise<ReadRecord[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const records = this.records.filter((r) => r.topic === topic);
      if (predicate(records) || Date.now() > deadline) return records;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** The records of `topic` whose CloudEvents id is one of `leadIds`, once all arrived (or the timeout). */
  async leads(topic: string, leadIds: readonly string[]): Promise<ReadRecord[]> {
    const wanted = new Set(leadIds);
    const records = await this.waitFor(topic, (rs) => {
      const seen = new Set(rs.map((r) => r.headers['ce_id']));
      return [...wanted].every((id) => seen.has(id));
    });
    return records.filter((r) => wanted.has(r.headers['ce_id'] ?? ''));
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}
