/**
 * Replay throughput: 10,000 dead letters on a dead-letter topic, replayed by the engine `leadctl dlq
 * replay` drives, without a rate cap. Prints leads/s for the whole replay (reading the dead-letter topics
 * and the ledger included) and for the publishing part alone.
 *
 *   node -r @swc-node/register apps/leadctl/bench/replay-throughput.ts            # own broker (Kafka jars)
 *   KAFKA_BROKERS=127.0.0.1:9092 node -r @swc-node/register apps/leadctl/bench/replay-throughput.ts
 */
import { randomUUID } from 'node:crypto';
import { DeadLetterStore, deadLetterTopics } from '@leadflow/dead-letters';
import { createKafka, createProducer } from '@leadflow/kafka';
import { deadLetterHeaders, DLQ_STAGES, leadCloudEventHeaders, Topics, type Lead } from '@leadflow/lead-model';
import { createTestTopics, startTestInfra, uniqueName } from '@leadflow/testing';
import { processEnv } from '../src/leadctl.config';

const COUNT = Number(processEnv()['REPLAY_BENCH_COUNT'] ?? 10_000);

function lead(i: number): Lead {
  return {
    leadId: randomUUID(),
    offerId: 'tailspin.misconfigured',
    source: 'AzureMarketplace',
    action: 'INS',
    offerTitle: 'Tailspin Suite',
    customer: {
      firstName: `Robin${i}`,
      lastName: 'Tailspin',
      email: `robin${i}@tailspin.example`,
      company: 'Tailspin',
    },
    description: 'Wants a demo of the suite',
    occurredAt: new Date().toISOString(),
    isTest: false,
    piiSuppressed: false,
  };
}

async function main(): Promise<void> {
  const own = processEnv()['KAFKA_BROKERS'] ? undefined : await startTestInfra();
  const brokers = (processEnv()['KAFKA_BROKERS'] ?? own?.kafkaBrokers ?? '').split(',');
  const kafka = createKafka({ brokers, clientId: 'replay-bench' });
  const prefix = `${uniqueName('bench')}.`;
  const topics = deadLetterTopics(prefix);
  const drop = await createTestTopics(
    kafka,
    [`${prefix}${Topics.ingested}`, ...DLQ_STAGES.map((s) => `${prefix}${Topics.dlq(s)}`)],
    3,
  );
  try {
    const producer = createProducer(kafka);
    await producer.connect();
    const failedAt = new Date();
    for (let i = 0; i < COUNT; i += 200) {
      await producer.send({
        topic: `${prefix}${Topics.dlq('azure-table')}`,
        acks: -1,
        messages: Array.from({ length: Math.min(200, COUNT - i) }, (_, j) => {
          const l = lead(i + j);
          return {
            key: l.offerId,
            value: JSON.stringify(l),
            headers: deadLetterHeaders({
              original: leadCloudEventHeaders(l, { source: '/bench' }),
              errorClass: 'TABLE.AUTH_FAILED',
              category: 'configuration',
              message: 'AuthenticationFailed',
              originalTopic: `${prefix}${Topics.route('azure-table')}`,
              partition: 0,
              offset: String(i + j),
              sink: 'table-sink',
              attempts: 1,
              failedAt,
              destinationVersion: 1,
            }),
          };
        }),
      });
    }
    await producer.disconnect();

    const store = new DeadLetterStore({ kafka, topics, groupPrefix: `${prefix}bench` });
    let publishStart = 0;
    const t0 = performance.now();
    const report = await store.replay(
      { offers: ['tailspin.misconfigured'] },
      {
        by: 'bench',
        onProgress: ({ done }) => {
          if (done === 0) publishStart = performance.now();
        },
      },
    );
    const t1 = performance.now();
    const again0 = performance.now();
    const second = await store.replay({ offers: ['tailspin.misconfigured'] }, { by: 'bench' });
    const again1 = performance.now();
    const total = (t1 - t0) / 1000;
    const publish = (t1 - publishStart) / 1000;
    process.stdout.write(
      `${JSON.stringify({
        deadLetters: COUNT,
        replayed: report.replayed,
        seconds: Number(total.toFixed(2)),
        leadsPerSecond: Math.round(report.replayed / total),
        publishSeconds: Number(publish.toFixed(2)),
        publishLeadsPerSecond: Math.round(report.replayed / publish),
        secondRun: {
          replayed: second.replayed,
          alreadyReplayed: second.alreadyReplayed,
          seconds: Number(((again1 - again0) / 1000).toFixed(2)),
        },
      })}\n`,
    );
  } finally {
    await drop();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topics.ledger] }).catch(() => undefined);
    await admin.disconnect();
    await own?.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
