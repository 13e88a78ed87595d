import { randomBytes, randomUUID } from 'node:crypto';
import type { Admin, Kafka } from 'kafkajs';
import type { Destination } from '@leadflow/lead-model';
import { ensureTopics } from '@leadflow/kafka';
import { freePort } from '@leadflow/local-infra';
import { OfferDestinationPublisher, parseKeyring, sealDestination } from '@leadflow/offer-table';
import { sinkPortVariable } from '@leadflow/sink-runtime';
import { benchKafka } from './baselines';
import { runTs, waitFor200, type ChildService } from './processes';
import type { BenchContext } from './registry';

/** The sink program of each destination type. */
export const SINK_APPS = {
  'azure-table': 'table-sink',
  https: 'https-sink',
  dynamics: 'dynamics-sink',
  salesforce: 'salesforce-sink',
  marketo: 'marketo-sink',
} as const;

export type SinkType = keyof typeof SINK_APPS;

/** One sink process on topics of its own (a fresh prefix), with its offers' destinations published. */
export interface SinkUnderTest {
  readonly kafka: Kafka;
  readonly admin: Admin;
  /** The route topic the sink reads (6 partitions). */
  readonly route: string;
  readonly prefix: string;
  readonly groupId: string;
  /** Its HTTP port (health, readiness, metrics). */
  readonly port: number;
  /** Starts the sink process; resolves once it answers /healthz. */
  start(env?: Record<string, string>): Promise<ChildService>;
  /** Stops the process (if started) and disconnects the admin. */
  stop(): Promise<void>;
}

/**
 * Topics under a fresh prefix (route, dead letters, receipts, offer table), `offers` published as version 1 of
 * each offer's destination (sealed with a key made for the run); the sink process starts when asked, so leads can
 * be preloaded first.
 */
export async function sinkUnderTest(
  ctx: BenchContext,
  type: SinkType,
  offers: Readonly<Record<string, Destination>>,
): Promise<SinkUnderTest> {
  const kafka = benchKafka(ctx.brokers, `bench-${type}`);
  const admin = kafka.admin();
  await admin.connect();
  const prefix = `bench-${randomUUID().slice(0, 8)}.`;
  const route = `${prefix}leads.route.${type}`;
  await ensureTopics(admin, [
    { name: route, partitions: 6, compacted: false },
    { name: `${prefix}leads.dlq.${type}`, partitions: 1, compacted: false },
    { name: `${prefix}leads.delivered`, partitions: 3, compacted: false },
    { name: `${prefix}offers.destinations`, partitions: 1, compacted: true },
  ]);
  const keySpec = `k1:${randomBytes(32).toString('base64')}`;
  const ring = parseKeyring(keySpec);
  const publisher = new OfferDestinationPublisher({ kafka, topic: `${prefix}offers.destinations` });
  await publisher.connect();
  for (const [offerId, destination] of Object.entries(offers)) {
    await publisher.put({
      offerId,
      version: 1,
      destination: sealDestination(destination, ring, offerId),
      updatedAt: new Date().toISOString(),
    });
  }
  await publisher.disconnect();
  const port = await freePort();
  let sink: ChildService | undefined;
  return {
    kafka,
    admin,
    route,
    prefix,
    groupId: `${prefix}leadflow-${SINK_APPS[type]}`,
    port,
    async start(env = {}) {
      sink = runTs(`apps/${SINK_APPS[type]}/src/main.ts`, {
        KAFKA_BROKERS: ctx.brokers,
        LEADFLOW_TOPIC_PREFIX: prefix,
        LEADFLOW_SECRET_KEYS: keySpec,
        [sinkPortVariable(SINK_APPS[type])]: String(port),
        LEADFLOW_LOG_LEVEL: 'warn',
        ...env,
      });
      await waitFor200(`http://127.0.0.1:${port}/healthz`, 60_000, sink);
      return sink;
    },
    async stop() {
      await sink?.stop();
      await admin.disconnect();
    },
  };
}
