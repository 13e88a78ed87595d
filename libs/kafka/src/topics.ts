import type { Admin, ITopicConfig } from 'kafkajs';

export interface TopicSpec {
  readonly name: string;
  readonly partitions: number;
  readonly compacted: boolean;
  /** `retention.ms` (-1: no time limit; `retention.bytes` is then -1 too). Unset: the broker's default. */
  readonly retentionMs?: number;
  /** `segment.bytes`: a compacted topic read at every start is compacted up to its active segment, so this bounds it. */
  readonly segmentBytes?: number;
}

/**
 * Creates the topics that do not exist yet, with explicit partition counts and cleanup policy.
 * Existing topics are left alone (partition counts are never changed behind an operator's back).
 * The replication factor, unless given, is 3 on a cluster of three or more brokers (with the brokers'
 * min.insync.replicas, 2, an acknowledged write survives a broker) and the broker count below that.
 * Returns the names it created.
 */
export async function ensureTopics(
  admin: Admin,
  specs: readonly TopicSpec[],
  replicationFactor?: number,
): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = specs.filter((s) => !existing.has(s.name));
  if (missing.length === 0) return [];
  const replicas = replicationFactor ?? Math.min(3, (await admin.describeCluster()).brokers.length);
  const topics: ITopicConfig[] = missing.map((s) => ({
    topic: s.name,
    numPartitions: s.partitions,
    replicationFactor: replicas,
    configEntries: [
      ...(s.compacted
        ? [
            { name: 'cleanup.policy', value: 'compact' },
            // Offer configuration is small and read from the beginning at every start: compact soon.
            { name: 'min.cleanable.dirty.ratio', value: '0.1' },
            { name: 'segment.ms', value: '3600000' },
          ]
        : []),
      ...(s.retentionMs !== undefined
        ? [
            { name: 'retention.ms', value: String(s.retentionMs) },
            ...(s.retentionMs < 0 ? [{ name: 'retention.bytes', value: '-1' }] : []),
          ]
        : []),
      ...(s.segmentBytes !== undefined ? [{ name: 'segment.bytes', value: String(s.segmentBytes) }] : []),
    ],
  }));
  await admin.createTopics({ topics, waitForLeaders: false });
  await waitForTopicLeaders(
    admin,
    missing.map((s) => s.name),
  );
  return missing.map((s) => s.name);
}

/**
 * Waits until every topic has a leader for each of its partitions. kafkajs's own `waitForLeaders`
 * retries only LEADER_NOT_AVAILABLE, but a broker busy creating many topics at once also answers
 * UNKNOWN_TOPIC_OR_PARTITION for a moment.
 */
export async function waitForTopicLeaders(admin: Admin, topics: readonly string[], timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const meta = await admin.fetchTopicMetadata({ topics: [...topics] });
      if (
        meta.topics.length === topics.length &&
        meta.topics.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))
      )
        return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
    if (Date.now() > deadline) throw new Error(`topics ${topics.join(', ')} have no leaders after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
