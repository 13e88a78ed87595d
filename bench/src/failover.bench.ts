import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Kafka, logLevel, Partitioners, type Message } from 'kafkajs';
import { freePorts, startKafkaCluster, type RunningCluster } from '@leadflow/local-infra';
import type { BenchContext } from './registry';
import type { BenchRow } from './report';

/**
 * The kafkajs failover loss (tulios/kafkajs#1303), measured on a real 3-node cluster for each produce path we
 * could ship: kafkajs as published, kafkajs with our patch, one send per partition, and @platformatic/kafka.
 * 20,000 records of 1 KB with three headers go out in sends of 200 over 6 partitions (RF 3, min ISR 2, acks all,
 * idempotent); halfway, the leader of partition 0 is SIGKILLed. A send that rejects is re-sent, as a caller would.
 * Afterwards every record on the topic is counted: missing ones were acknowledged and lost.
 */

const ROOT = resolve(__dirname, '..', '..');
const TOTAL = 20_000;
const BATCH = 200;
const PARTITIONS = 6;

interface Record_ {
  readonly key: string;
  readonly value: string;
  readonly headers: Record<string, string>;
}

interface ProducePath {
  readonly name: string;
  connect(brokers: string): Promise<void>;
  /** Resolves once every record is acknowledged (acks all). */
  send(topic: string, records: readonly Record_[]): Promise<void>;
  close(): Promise<void>;
}

type KafkaModule = typeof import('kafkajs');

function kafkajsPath(name: string, mod: KafkaModule, perPartition: boolean): ProducePath {
  let kafka: Kafka;
  let producer: ReturnType<Kafka['producer']>;
  const partitioner = Partitioners.DefaultPartitioner();
  const toMessage = (r: Record_): Message => ({ key: r.key, value: r.value, headers: r.headers });
  return {
    name,
    async connect(brokers) {
      kafka = new mod.Kafka({ brokers: brokers.split(','), clientId: name, logLevel: logLevel.NOTHING });
      producer = kafka.producer({ idempotent: true, createPartitioner: mod.Partitioners.DefaultPartitioner });
      await producer.connect();
    },
    async send(topic, records) {
      if (!perPartition) {
        await producer.send({ topic, acks: -1, messages: records.map(toMessage) });
        return;
      }
      // The partition is decided here (the same murmur2 partitioner kafkajs uses), so each send touches one
      // partition and so one broker: a failover cannot leave part of a send unsent.
      const partitionMetadata = Array.from({ length: PARTITIONS }, (_, partitionId) => ({
        partitionId,
        leader: 0,
        replicas: [],
        isr: [],
        partitionErrorCode: 0,
      }));
      const byPartition = new Map<number, Message[]>();
      for (const r of records) {
        const message = toMessage(r);
        const p = partitioner({ topic, partitionMetadata, message });
        byPartition.set(p, [...(byPartition.get(p) ?? []), { ...message, partition: p }]);
      }
      await Promise.all([...byPartition.values()].map((messages) => producer.send({ topic, acks: -1, messages })));
    },
    close: () => producer.disconnect(),
  };
}

function platformaticPath(): ProducePath {
  type Producer = {
    send(o: {
      messages: { topic: string; key: string; value: string; headers: Record<string, string> }[];
    }): Promise<unknown>;
    close(force?: boolean): Promise<void>;
  };
  let producer: Producer;
  return {
    name: '@platformatic/kafka 2.12.1',
    async connect(brokers) {
      const mod = (await import('@platformatic/kafka')) as unknown as {
        Producer: new (o: object) => Producer;
        stringSerializers: object;
      };
      producer = new mod.Producer({
        clientId: 'failover-platformatic',
        bootstrapBrokers: brokers.split(','),
        serializers: mod.stringSerializers,
        idempotent: true,
        acks: -1,
      });
    },
    async send(topic, records) {
      await producer.send({ messages: records.map((r) => ({ topic, ...r })) });
    },
    close: () => producer.close(),
  };
}

interface Outcome {
  readonly path: string;
  readonly fault: boolean;
  readonly seconds: number;
  readonly rejectedSends: number;
  readonly missing: number;
  readonly duplicated: number;
}

const VALUE_PAD = 'x'.repeat(1_000);
const record = (i: number): Record_ => ({
  key: `offer-${i % 60}`,
  value: `${String(i).padStart(6, '0')}:${VALUE_PAD}`,
  headers: { ce_id: `lead-${i}`, ce_type: 'leadflow.lead.v1', ce_source: '/failover' },
});

async function leaderOf(kafka: Kafka, topic: string, partition: number): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    const p = meta.topics[0]?.partitions.find((x) => x.partitionId === partition);
    if (p === undefined) throw new Error(`no metadata for ${topic}/${partition}`);
    return p.leader;
  } finally {
    await admin.disconnect();
  }
}

async function countRecords(kafka: Kafka, topic: string): Promise<{ unique: number; total: number }> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const expected = ends.reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
  const seen = new Set<string>();
  let total = 0;
  const consumer = kafka.consumer({ groupId: `count-${topic}`, maxWaitTimeInMs: 200 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      total++;
      seen.add(message.value?.toString('utf8').slice(0, 6) ?? '');
    },
  });
  const deadline = Date.now() + 60_000;
  while (total < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  await consumer.disconnect();
  return { unique: seen.size, total };
}

async function runOnce(
  cluster: RunningCluster,
  kafka: Kafka,
  path: ProducePath,
  fault: boolean,
  round: number,
): Promise<Outcome> {
  const topic = `failover-${path.name.replace(/[^a-z0-9]+/gi, '-')}-${fault ? 'kill' : 'clean'}-${round}-${Date.now()}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [
      {
        topic,
        numPartitions: PARTITIONS,
        replicationFactor: 3,
        configEntries: [{ name: 'min.insync.replicas', value: '2' }],
      },
    ],
    waitForLeaders: true,
  });
  await admin.disconnect();
  await path.connect(cluster.brokers);
  let killed: number | undefined;
  let rejectedSends = 0;
  const t0 = Date.now();
  try {
    for (let i = 0; i < TOTAL; i += BATCH) {
      if (fault && killed === undefined && i >= TOTAL / 2) {
        killed = await leaderOf(kafka, topic, 0);
        // Not awaited: the node dies while the next sends are in flight.
        void cluster.kill(killed);
      }
      const batch = Array.from({ length: BATCH }, (_, j) => record(i + j));
      for (let attempt = 1; ; attempt++) {
        try {
          // A send that neither resolves nor rejects within a minute counts as failed and is sent again (seen once:
          // @platformatic/kafka 2.12.1 hung for over ten minutes after a leader was killed).
          await Promise.race([
            path.send(topic, batch),
            new Promise((_, reject) => setTimeout(() => reject(new Error('send hung for 60 s')), 60_000).unref()),
          ]);
          break;
        } catch (err) {
          rejectedSends++;
          if (attempt >= 5) throw err;
          await new Promise((r) => setTimeout(r, 500));
        }
      }
    }
  } finally {
    await path.close().catch(() => undefined);
  }
  const seconds = (Date.now() - t0) / 1000;
  if (killed !== undefined) await cluster.restart(killed);
  const { unique, total } = await countRecords(kafka, topic);
  return { path: path.name, fault, seconds, rejectedSends, missing: TOTAL - unique, duplicated: total - unique };
}

/** Peak produce rate: `total` records in sends of 500, 8 sends in flight (the raw-client comparison). */
async function peakRate(brokers: string, kafka: Kafka, path: ProducePath, replicas: number): Promise<number> {
  const topic = `peak-${path.name.replace(/[^a-z0-9]+/gi, '-')}-${Date.now()}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: replicas }],
    waitForLeaders: true,
  });
  await admin.disconnect();
  await path.connect(brokers);
  const total = 40_000;
  const batches = Array.from({ length: total / 500 }, (_, b) =>
    Array.from({ length: 500 }, (_, j) => record(b * 500 + j)),
  );
  const t0 = Date.now();
  try {
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let b = next++; b < batches.length; b = next++) await path.send(topic, batches[b] ?? []);
      }),
    );
  } finally {
    await path.close().catch(() => undefined);
  }
  return total / ((Date.now() - t0) / 1000);
}

export async function failoverBench(ctx: BenchContext): Promise<BenchRow[]> {
  const rounds = Number(process.env['LEADFLOW_FAILOVER_ROUNDS'] ?? '2');
  const dir = mkdtempSync(join(tmpdir(), 'leadflow-failover-'));
  const host = '127.0.0.1';
  const nodes = [];
  const free = await freePorts(6);
  for (let id = 1; id <= 3; id++)
    nodes.push({ id, port: free[2 * id - 2] ?? 0, controllerPort: free[2 * id - 1] ?? 0 });
  const cluster = await startKafkaCluster({
    libsDir: join(process.env['LEADFLOW_LOCAL_DIR'] ?? join(ROOT, '.local'), 'kafka', 'libs'),
    log4jConfig: join(ROOT, 'tools', 'kafka', 'log4j2.properties'),
    dataDir: join(dir, 'kafka'),
    host,
    nodes,
    detached: false,
  });
  const kafka = new Kafka({
    brokers: cluster.brokers.split(','),
    clientId: 'failover-bench',
    logLevel: logLevel.NOTHING,
  });

  const upstream = require('kafkajs-upstream') as KafkaModule;

  const patched = require('kafkajs') as KafkaModule;
  const paths: (() => ProducePath)[] = [
    () => kafkajsPath('kafkajs 2.2.4 as published', upstream, false),
    () => kafkajsPath('kafkajs 2.2.4 + leadflow patch', patched, false),
    () => kafkajsPath('kafkajs 2.2.4, one send per partition', upstream, true),
    () => platformaticPath(),
  ];
  const outcomes: Outcome[] = [];
  const peaks: BenchRow[] = [];
  try {
    const single = new Kafka({ brokers: ctx.brokers.split(','), clientId: 'peak-bench', logLevel: logLevel.NOTHING });
    for (const [where, brokers, client, replicas] of [
      ['one broker', ctx.brokers, single, 1],
      ['3-node cluster', cluster.brokers, kafka, 3],
    ] as const) {
      for (let round = 1; round <= 2; round++) {
        const base = await peakRate(
          brokers,
          client,
          kafkajsPath('kafkajs 2.2.4 + leadflow patch', patched, false),
          replicas,
        );
        const other = await peakRate(brokers, client, platformaticPath(), replicas);
        peaks.push({
          scenario: `@platformatic/kafka peak produce, ${where}, round ${round} (1 KB, 3 headers, 8 × 500 in flight)`,
          value: other,
          unit: 'records/s',
          baseline: { label: 'kafkajs + patch', value: base },
        });
      }
    }
    for (const make of paths) {
      outcomes.push(await runOnce(cluster, kafka, make(), false, 0));
      for (let round = 1; round <= rounds; round++) outcomes.push(await runOnce(cluster, kafka, make(), true, round));
      const last = outcomes.filter((o) => o.path === make().name);
      process.stderr.write(`[failover] ${JSON.stringify(last)}\n`);
    }
  } finally {
    await cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const rows: BenchRow[] = [...peaks];
  const baseline = outcomes.find((o) => !o.fault && o.path.startsWith('kafkajs 2.2.4 as published'));
  for (const name of [...new Set(outcomes.map((o) => o.path))]) {
    const clean = outcomes.find((o) => o.path === name && !o.fault);
    const faults = outcomes.filter((o) => o.path === name && o.fault);
    const rate = clean ? TOTAL / clean.seconds : 0;
    rows.push({
      scenario: `${name}: ${TOTAL.toLocaleString('en-US')} records, no fault`,
      value: rate,
      unit: 'records/s',
      ...(baseline ? { baseline: { label: 'kafkajs as published', value: TOTAL / baseline.seconds } } : {}),
    });
    rows.push({
      scenario: `${name}: leader of partition 0 SIGKILLed halfway, ${faults.length} runs`,
      value: faults.reduce((n, o) => n + o.missing, 0),
      unit: 'records lost',
      notes: `lost per run ${faults.map((o) => o.missing).join('/')}; duplicated ${faults.map((o) => o.duplicated).join('/')}; sends rejected ${faults.map((o) => o.rejectedSends).join('/')}`,
    });
  }
  return rows;
}
