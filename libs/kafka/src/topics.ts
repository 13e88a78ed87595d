import type { Admin, ITopicConfig } from 'kafkajs';

export interface TopicSpec {
  readonly name: string;
  readonly partitions: number;
  readonly compacted: boolean;
}

/**
 * Creates the topics that do not exist yet, with explicit partition counts and cleanup policy.
 * Existing topics are left alone (partition counts are never changed behind an operator's back).
 * Returns the names it created.
 */
export async function ensureTopics(admin: Admin, specs: readonly TopicSpec[], replicationFactor = 1): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = specs.filter((s) => !existing.has(s.name));
  if (missing.length === 0) return [];
  const topics: ITopicConfig[] = missing.map((s) => ({
    topic: s.name,
    numPartitions: s.partitions,
    replicationFactor,
    configEntries: s.compacted
      ? [
          { name: 'cleanup.policy', value: 'compact' },
          // Offer configuration is small and read from the beginning at every start: compact soon.
          { name: 'min.cleanable.dirty.ratio', value: '0.1' },
          { name: 'segment.ms', value: '3600000' },
        ]
      : [],
  }));
  await admin.createTopics({ topics, waitForLeaders: true });
  return missing.map((s) => s.name);
}
