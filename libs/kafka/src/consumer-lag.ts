import type { Consumer } from 'kafkajs';
import { Gauge, type Registry } from 'prom-client';

const NAME = 'leadflow_kafka_consumer_lag_records';
const FETCHED = 'leadflow_kafka_consumer_last_fetch_timestamp_seconds';

function lagGauge(registry: Registry): Gauge<'group' | 'topic' | 'partition'> {
  const existing = registry.getSingleMetric(NAME);
  if (existing) return existing as Gauge<'group' | 'topic' | 'partition'>;
  return new Gauge({
    name: NAME,
    help: 'Records of a partition not yet taken by the consumer group (high watermark after its last fetched batch)',
    labelNames: ['group', 'topic', 'partition'],
    registers: [registry],
  });
}

function fetchGauge(registry: Registry): Gauge<'group'> {
  const existing = registry.getSingleMetric(FETCHED);
  if (existing) return existing as Gauge<'group'>;
  return new Gauge({
    name: FETCHED,
    help: "When the consumer's last fetch came back (Unix seconds), empty fetches included",
    labelNames: ['group'],
    registers: [registry],
  });
}

/**
 * Consumer lag per group and partition, from what the consumer fetches: after each batch, the partition's high
 * watermark minus the position past the batch (kafkajs's `offsetLag`). No admin calls: every consumer of leadflow
 * (router, sinks, ingest's status reader) reports its own. `group` is the group's stable name (an instance-unique
 * group, as ingest's status reader has, is reported under its prefix so the label stays bounded).
 * The lag is only as fresh as the last batch: a consumer that stops fetching (stuck in its handler) keeps its last
 * value, so the time of its last fetch is exported too; an idle consumer still fetches (empty) every few hundred ms.
 */
export function trackConsumerLag(consumer: Consumer, registry: Registry, group: string): void {
  const gauge = lagGauge(registry);
  const fetched = fetchGauge(registry);
  consumer.on(consumer.events.FETCH, () => fetched.set({ group }, Date.now() / 1000));
  const reported = new Map<string, { group: string; topic: string; partition: string }>();
  const set = (topic: string, partition: number, lag: number) => {
    const labels = { group, topic, partition: String(partition) };
    reported.set(`${topic}/${partition}`, labels);
    gauge.set(labels, lag);
  };
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    const lag = Number(payload.offsetLag);
    if (Number.isFinite(lag)) set(payload.topic, payload.partition, Math.max(0, lag));
  });
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    // Partitions that moved to another member are reported by it: drop ours, or they would stay frozen. Those this
    // member keeps stay (a rebalance for a new topic must not blank a quiet consumer's lag until its next batch).
    const kept = new Set(
      Object.entries(payload.memberAssignment).flatMap(([topic, partitions]) => partitions.map((p) => `${topic}/${p}`)),
    );
    for (const [key, labels] of reported) {
      if (kept.has(key)) continue;
      gauge.remove(labels);
      reported.delete(key);
    }
  });
}
