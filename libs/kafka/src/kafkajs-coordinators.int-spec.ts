import { randomBytes } from 'node:crypto';
import type { Kafka as KafkaClient } from 'kafkajs';
import { createTestTopics, testBrokers, uniqueName } from '@leadflow/testing';

/**
 * A transactional producer's coordinator lookups, on a real broker, as published (`kafkajs-upstream`) and as patched
 * (patches/kafkajs+2.2.4.patch). Published, every transaction asks the broker for its coordinators four times
 * (before AddPartitionsToTxn, AddOffsetsToTxn, TxnOffsetCommit and EndTxn): FindCoordinator was a transactional
 * router's most frequent request. Patched, they are remembered for a few seconds and forgotten when a call fails.
 */
type KafkaModule = typeof import('kafkajs');

const TRANSACTIONS = 20;

async function findCoordinatorRequests(pkg: string, topic: string, input: string): Promise<number> {
  const { Kafka, logLevel } = require(pkg) as KafkaModule;
  const kafka: KafkaClient = new Kafka({
    brokers: testBrokers(),
    clientId: uniqueName('coord'),
    logLevel: logLevel.NOTHING,
  });
  const producer = kafka.producer({
    transactionalId: uniqueName('coord-tx'),
    idempotent: true,
    maxInFlightRequests: 1,
  });
  let lookups = 0;
  producer.on(producer.events.REQUEST, (e) => {
    if (e.payload.apiName === 'GroupCoordinator') lookups++;
  });
  await producer.connect();
  // One transaction, retried: on a fresh broker the group's coordinator (its __consumer_offsets partition) may still be
  // loading. Only what follows it is counted.
  const transaction = async (i: number): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      const tx = await producer.transaction();
      try {
        await tx.send({ topic, acks: -1, messages: [{ key: 'k', value: randomBytes(8).toString('hex') }] });
        await tx.sendOffsets({
          consumerGroupId: `${topic}-group`,
          topics: [{ topic: input, partitions: [{ partition: 0, offset: String(i + 1) }] }],
        });
        await tx.commit();
        return;
      } catch (err) {
        if (tx.isActive()) await tx.abort().catch(() => undefined);
        if (attempt >= 20) throw err;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  };
  try {
    await transaction(0);
    const before = lookups;
    for (let i = 1; i <= TRANSACTIONS; i++) await transaction(i);
    return lookups - before;
  } finally {
    await producer.disconnect();
  }
}

describe('kafkajs transactional coordinators (patched)', () => {
  const topic = uniqueName('coord-out');
  const input = uniqueName('coord-in');
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const { Kafka, logLevel } = require('kafkajs') as KafkaModule;
    drop = await createTestTopics(
      new Kafka({ brokers: testBrokers(), clientId: uniqueName('coord'), logLevel: logLevel.NOTHING }),
      [topic, input],
      1,
    );
  });
  afterAll(async () => drop?.());

  it('looks its coordinators up once, not four times a transaction as published', async () => {
    const upstream = await findCoordinatorRequests('kafkajs-upstream', topic, input);
    const patched = await findCoordinatorRequests('kafkajs', topic, input);
    expect(upstream).toBeGreaterThanOrEqual(4 * TRANSACTIONS);
    // Once for the transaction coordinator, once for the group's: 20 quick transactions fit in the 5 s they are
    // remembered for (twice each at most: a retried call that failed for its coordinator forgets them).
    expect(patched).toBeLessThanOrEqual(4);
  }, 60_000);
});
