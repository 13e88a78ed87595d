import { randomUUID } from 'node:crypto';
import type { BenchContext } from './registry';
import type { BenchRow } from './report';
import {
  benchKafka,
  preload,
  rawBatchedProduce,
  rawTableBatches,
  rawTableSingles,
  rawTransactionalCopy,
} from './baselines';

/** The raw client figures every product benchmark is judged against, on this machine, in this run. */
export async function kafkaBaselines(ctx: BenchContext): Promise<BenchRow[]> {
  const kafka = benchKafka(ctx.brokers, 'bench-baselines');
  const admin = kafka.admin();
  await admin.connect();
  const id = randomUUID().slice(0, 8);
  const produceTopic = `bench.produce.${id}`;
  const from = `bench.copy-from.${id}`;
  const to = `bench.copy-to.${id}`;
  await admin.createTopics({
    topics: [produceTopic, from, to].map((topic) => ({ topic, numPartitions: 6 })),
    waitForLeaders: true,
  });
  try {
    const produce = await rawBatchedProduce(kafka, produceTopic, 100_000, 500);
    await preload(kafka, from, 50_000);
    const copy = await rawTransactionalCopy(kafka, from, to, 50_000, `bench-copy-${id}`);
    const table = `Bench${id.replace(/[^A-Za-z0-9]/g, '')}`;
    const batches = await rawTableBatches(ctx.tablesConnectionString, table, 20_000);
    const singles = await rawTableSingles(ctx.tablesConnectionString, table, 1_000);
    return [
      {
        scenario: 'kafkajs batched produce, 500 leads (~450 B + CloudEvents headers) per send, acks=all',
        value: produce,
        unit: 'msg/s',
      },
      {
        scenario: 'kafkajs transactional consume→produce (sendOffsets + commit per batch)',
        value: copy,
        unit: 'msg/s',
      },
      {
        scenario: '@azure/data-tables batch transactions (100 upserts each) into Azurite',
        value: batches,
        unit: 'entities/s',
      },
      { scenario: '@azure/data-tables sequential single upserts into Azurite', value: singles, unit: 'entities/s' },
    ];
  } finally {
    await admin.deleteTopics({ topics: [produceTopic, from, to] }).catch(() => undefined);
    await admin.disconnect();
  }
}
