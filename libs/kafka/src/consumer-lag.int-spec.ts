import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { Registry } from 'prom-client';
import { trackConsumerLag } from './index';

// The testing harness builds on this lib, so this suite uses plain kafkajs around the code under test.
const uniqueName = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;
const testKafka = () =>
  new Kafka({
    brokers: (process.env['KAFKA_BROKERS'] ?? '').split(','),
    clientId: uniqueName('t'),
    logLevel: logLevel.NOTHING,
  });

async function series(registry: Registry): Promise<Record<string, number>> {
  const metric = await registry.getSingleMetric('leadflow_kafka_consumer_lag_records')?.get();
  return Object.fromEntries(
    (metric?.values ?? []).map((v) => [`${v.labels['topic']}/${v.labels['partition']}`, v.value]),
  );
}

async function until(what: string, check: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('trackConsumerLag against a real broker', () => {
  const kafka = testKafka();
  const topic = uniqueName('t-lag');
  const group = uniqueName('g-lag');
  const consumers: Consumer[] = [];

  beforeAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic,
      messages: [0, 1].flatMap((partition) => Array.from({ length: 5 }, (_, n) => ({ partition, value: `${n}` }))),
    });
    await producer.disconnect();
  });

  afterAll(async () => {
    await Promise.all(consumers.map((c) => c.disconnect().catch(() => undefined)));
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });

  const start = async (registry: Registry, joins: { n: number; assigned: number[] }) => {
    const consumer = kafka.consumer({
      groupId: group,
      sessionTimeout: 6_000,
      heartbeatInterval: 500,
      maxWaitTimeInMs: 100,
    });
    consumers.push(consumer);
    trackConsumerLag(consumer, registry, 'leadflow-test');
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      joins.n++;
      joins.assigned = payload.memberAssignment[topic] ?? [];
    });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async () => undefined });
  };

  it("reports each fetched partition's lag, and after a rebalance keeps the partitions it still holds", async () => {
    const a = new Registry();
    const aJoins = { n: 0, assigned: [] as number[] };
    await start(a, aJoins);
    await until('both partitions read', async () => Object.keys(await series(a)).length === 2);
    expect(await series(a)).toEqual({ [`${topic}/0`]: 0, [`${topic}/1`]: 0 });

    // A second member takes one partition; no record arrives after that, so what A still reports is what it kept.
    const b = new Registry();
    const bJoins = { n: 0, assigned: [] as number[] };
    await start(b, bJoins);
    await until('the rebalance', async () => aJoins.n >= 2 && bJoins.n >= 1 && aJoins.assigned.length === 1);
    const kept = aJoins.assigned[0] as number;
    expect(await series(a)).toEqual({ [`${topic}/${kept}`]: 0 });
    expect(await series(b)).toEqual({});
  }, 60_000);
});
