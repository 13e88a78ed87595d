import { readTls, type SimulatorTls } from '@leadflow/local-infra';
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { readHeaders } from '@leadflow/lead-model';
import { waitForTopicLeaders } from '@leadflow/kafka';

/** Unique per test and per run: topics, groups and tables are never shared between tests. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/** Table names allow letters and digits only. */
export function uniqueTableName(prefix = 'T'): string {
  return `${prefix}${Date.now().toString(36)}${randomBytes(3).toString('hex')}`.replace(/[^A-Za-z0-9]/g, '');
}

export function testBrokers(): string[] {
  const brokers = process.env['KAFKA_BROKERS'];
  if (!brokers) throw new Error('KAFKA_BROKERS is not set: run integration tests through jest.int.config.js');
  return brokers.split(',');
}

export function testTablesConnectionString(): string {
  const cs = process.env['AZURE_TABLES_CONNECTION_STRING'];
  if (!cs)
    throw new Error('AZURE_TABLES_CONNECTION_STRING is not set: run integration tests through jest.int.config.js');
  return cs;
}

/** A plain kafkajs client on the run's broker (not @leadflow/kafka's, which is itself under test). */
export function testKafka(clientId = uniqueName('test')): Kafka {
  return new Kafka({
    brokers: testBrokers(),
    clientId,
    logLevel: logLevel.NOTHING,
    retry: { retries: 8, initialRetryTime: 100 },
  });
}

/** Creates topics for one test and returns a cleanup that deletes them. */
export async function createTestTopics(
  kafka: Kafka,
  topics: readonly string[],
  partitions = 1,
): Promise<() => Promise<void>> {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: topics.map((topic) => ({ topic, numPartitions: partitions })),
    waitForLeaders: false,
  });
  await waitForTopicLeaders(admin, topics);
  await admin.disconnect();
  return async () => {
    const a = kafka.admin();
    await a.connect();
    await a.deleteTopics({ topics: [...topics] }).catch(() => undefined);
    await a.disconnect();
  };
}

export interface ReadRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly value: string | null;
  readonly headers: Record<string, string>;
}

export interface ReadOptions {
  readonly count: number;
  readonly timeoutMs?: number;
  /** Only records of committed transactions (the default kafkajs isolation). */
  readonly readCommitted?: boolean;
  /** Keep reading this long after `count` is reached, to catch duplicates. */
  readonly settleMs?: number;
}

/**
 * Reads a topic from the beginning with a fresh consumer group until `count` records arrived (and
 * `settleMs` more passed), or the timeout. Returns what it read; the caller asserts on it.
 */
export async function readTopic(kafka: Kafka, topic: string, opts: ReadOptions): Promise<ReadRecord[]> {
  const consumer = kafka.consumer({
    groupId: uniqueName('reader'),
    readUncommitted: opts.readCommitted === false,
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
    // The default 5 s long poll would make every disconnect wait that long.
    maxWaitTimeInMs: 250,
  });
  const records: ReadRecord[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    let reachedAt: number | undefined;
    await consumer.run({
      eachMessage: async ({ topic: t, partition, message }) => {
        records.push({
          topic: t,
          partition,
          offset: message.offset,
          key: message.key?.toString('utf8') ?? null,
          value: message.value?.toString('utf8') ?? null,
          headers: readHeaders(message.headers),
        });
        if (records.length >= opts.count && reachedAt === undefined) reachedAt = Date.now();
      },
    });
    const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
    const settle = opts.settleMs ?? 0;
    while (Date.now() < deadline) {
      if (reachedAt !== undefined && Date.now() - reachedAt >= settle) break;
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await consumer.disconnect();
  }
  return records;
}

/** This run's simulator TLS material (CA-signed server certificate; the CA is trusted by the test process). */
/** The folder of this run's CA and certificate (ca.pem, cert.pem, key.pem), for servers that read PEM files. */
export function testTlsDir(): string {
  const dir = process.env['LEADFLOW_TEST_TLS_DIR'];
  if (!dir) throw new Error('LEADFLOW_TEST_TLS_DIR is not set: run integration tests through jest.int.config.js');
  return dir;
}

/** The environment a service process under test inherits (brokers, the run's CA), to extend with its own. */
export function testProcessEnv(): NodeJS.ProcessEnv {
  return { ...process.env };
}

export function testTls(): SimulatorTls {
  const dir = process.env['LEADFLOW_TEST_TLS_DIR'];
  if (!dir) throw new Error('LEADFLOW_TEST_TLS_DIR is not set: run integration tests through jest.int.config.js');
  return readTls(dir);
}
