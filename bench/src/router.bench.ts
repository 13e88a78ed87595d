import { randomBytes, randomUUID } from 'node:crypto';
import { Topics } from '@leadflow/lead-model';
import { ensureTopics } from '@leadflow/kafka';
import { freePort } from '@leadflow/local-infra';
import { OfferDestinationPublisher, parseKeyring, sealDestination } from '@leadflow/offer-table';
import { benchKafka, preload, rawTransactionalCopy } from './baselines';
import { runTs, waitFor200 } from './processes';
import { drainRate } from './progress';
import type { BenchContext } from './registry';
import type { BenchRow } from './report';

const LEADS = 50_000;
const OFFERS = 10;

/**
 * Router throughput: the router process routes 50,000 preloaded leads (10 offers) in Kafka transactions;
 * the baseline is raw kafkajs transactional consume→produce of the same records on the same broker.
 * Both rates are measured from the first committed batch to the last, so start-up is not counted.
 */
export async function routerBench(ctx: BenchContext): Promise<BenchRow[]> {
  const kafka = benchKafka(ctx.brokers, 'bench-router');
  const admin = kafka.admin();
  await admin.connect();
  const prefix = `bench-${randomUUID().slice(0, 8)}.`;
  const input = `${prefix}${Topics.ingested}`;
  await ensureTopics(admin, [
    { name: input, partitions: 6, compacted: false },
    { name: `${prefix}${Topics.offerDestinations}`, partitions: 3, compacted: true },
    { name: `${prefix}${Topics.route('https')}`, partitions: 6, compacted: false },
    { name: `${prefix}copy`, partitions: 6, compacted: false },
  ]);

  const ring = parseKeyring(`bench1:${randomBytes(32).toString('base64')}`);
  const publisher = new OfferDestinationPublisher({ kafka, topic: `${prefix}${Topics.offerDestinations}` });
  await publisher.connect();
  for (let i = 0; i < OFFERS; i++) {
    const offerId = `contoso.offer-${i}`;
    const destination = sealDestination({ type: 'https', url: 'https://leads.contoso.example/hook' }, ring, offerId);
    await publisher.put({ offerId, version: 1, destination, updatedAt: new Date().toISOString() });
  }
  await publisher.disconnect();
  await preload(kafka, input, LEADS, OFFERS);

  const baseline = await rawTransactionalCopy(kafka, input, `${prefix}copy`, LEADS, `${prefix}raw-copy`);

  const port = await freePort();
  const router = runTs('apps/router/src/main.ts', {
    KAFKA_BROKERS: ctx.brokers,
    LEADFLOW_ROUTER_PORT: String(port),
    LEADFLOW_TOPIC_PREFIX: prefix,
    LEADFLOW_LOG_LEVEL: 'warn',
  });
  let rate = 0;
  try {
    await waitFor200(`http://127.0.0.1:${port}/healthz`, 60_000, router);
    rate = await drainRate(admin, `${prefix}leadflow-router`, input, 300_000);
  } finally {
    await router.stop();
    await admin.disconnect();
  }
  return [
    {
      scenario: `router, ${LEADS.toLocaleString('en-US')} leads over ${OFFERS} offers, transactional`,
      value: rate,
      unit: 'leads/s',
      baseline: { label: 'raw kafkajs transactional consume→produce', value: baseline },
      target: { ratio: 0.8 },
      notes: 'commit progress polled every 50 ms',
    },
  ];
}
