import { randomUUID } from 'node:crypto';
import type { BenchContext } from '../registry';
import type { BenchRow } from '../report';
import { benchKafka } from '../baselines';
import { runTs } from '../processes';
import type { ReaderReport } from './reader-report';

/**
 * The @nestjs/microservices trial (docs/decisions/0002): ingest's status reader, the simplest consumer of the
 * product (reads a stream from the beginning in a group of its own, never commits, indexes JSON), written both
 * ways and run as separate processes under the services' heap bound, on the same topic of receipts. Start-up is
 * from process start to the first record (module loading included); throughput over the rest.
 */
const RECORDS = 100_000;
const ROUNDS = 2;

async function fillReceipts(ctx: BenchContext, topic: string): Promise<void> {
  const kafka = benchKafka(ctx.brokers, 'bench-status-fill');
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
  await admin.disconnect();
  const producer = kafka.producer({ idempotent: true });
  await producer.connect();
  for (let sent = 0; sent < RECORDS; sent += 1_000) {
    await producer.send({
      topic,
      acks: -1,
      messages: Array.from({ length: 1_000 }, (_, i) => {
        const offerId = `contoso.offer-${(sent + i) % 500}`;
        return {
          key: offerId,
          value: JSON.stringify({
            leadId: randomUUID(),
            offerId,
            destination: 'https',
            attempts: 1,
            deliveredAt: new Date(Date.UTC(2026, 0, 1) + sent + i).toISOString(),
            isTest: false,
          }),
        };
      }),
    });
  }
  await producer.disconnect();
}

async function readOnce(entry: string, ctx: BenchContext, topic: string): Promise<ReaderReport> {
  const child = runTs(entry, {
    BENCH_BROKERS: ctx.brokers,
    BENCH_TOPIC: topic,
    BENCH_EXPECTED: String(RECORDS),
    BENCH_GROUP: `bench-status-${randomUUID().slice(0, 8)}`,
  });
  const timeout = setTimeout(() => void child.stop(), 180_000);
  try {
    const report = JSON.parse(await child.firstLine) as ReaderReport;
    if (report.offers !== 500) throw new Error(`${entry} indexed ${report.offers} offers, not 500`);
    return report;
  } finally {
    clearTimeout(timeout);
    await child.stop();
  }
}

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

export async function statusReaderBench(ctx: BenchContext): Promise<BenchRow[]> {
  const topic = `bench.status.${randomUUID().slice(0, 8)}`;
  await fillReceipts(ctx, topic);
  const plain: ReaderReport[] = [];
  const nest: ReaderReport[] = [];
  // Alternated, so that neither way always runs on a warmer broker page cache.
  for (let round = 0; round < ROUNDS; round++) {
    plain.push(await readOnce('bench/src/status-reader/kafkajs-reader.ts', ctx, topic));
    nest.push(await readOnce('bench/src/status-reader/nest-reader.ts', ctx, topic));
  }
  const figure = (f: (r: ReaderReport) => number) => ({ nest: median(nest.map(f)), plain: median(plain.map(f)) });
  const rate = figure((r) => r.records / (r.readMs / 1000));
  const cpu = figure((r) => r.cpuSeconds);
  const rss = figure((r) => r.peakRssMb);
  const startup = figure((r) => r.startupMs);
  const baseline = (value: number) => ({ label: 'plain kafkajs consumer (as ingest has it)', value });
  const notes = `${RECORDS.toLocaleString('en-US')} receipts, 3 partitions; median of ${ROUNDS} alternated runs each`;
  return [
    {
      scenario: 'status reader on @nestjs/microservices Kafka transport: read rate',
      value: rate.nest,
      unit: 'records/s',
      baseline: baseline(rate.plain),
      notes,
    },
    {
      scenario: 'status reader on @nestjs/microservices: CPU for the whole read (start-up included)',
      value: cpu.nest,
      unit: 's',
      baseline: baseline(cpu.plain),
    },
    {
      scenario: 'status reader on @nestjs/microservices: peak RSS',
      value: rss.nest,
      unit: 'MB',
      baseline: baseline(rss.plain),
    },
    {
      scenario: 'status reader on @nestjs/microservices: process start → first record',
      value: startup.nest,
      unit: 'ms',
      baseline: baseline(startup.plain),
    },
  ];
}
