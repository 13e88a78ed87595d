import { TOPIC_SPECS, Topics } from '@leadflow/lead-model';
import { createKafka, ensureTopics, PLAINTEXT, type KafkaSecurity, type TopicSpec } from '@leadflow/kafka';

/** What an operator may choose about the topics: the rest of the topic map (names, compaction) is the contract's. */
export interface TopicOptions {
  /** Unset: 3 on a cluster of three or more brokers, the broker count below that. */
  readonly replicationFactor?: number;
  /** Partitions of leads.ingested (the most router instances at work). */
  readonly ingestedPartitions?: number;
  /** Partitions of each leads.route.<type> (the most instances of a sink at work). */
  readonly routePartitions?: number;
}

/** The topic map with the operator's partition counts. */
export function topicSpecs(opts: TopicOptions = {}): TopicSpec[] {
  return TOPIC_SPECS.map((t) => {
    if (t.name === Topics.ingested && opts.ingestedPartitions) return { ...t, partitions: opts.ingestedPartitions };
    if (t.name.startsWith('leads.route.') && opts.routePartitions) return { ...t, partitions: opts.routePartitions };
    return t;
  });
}

const TOPIC_VARIABLES = {
  replicationFactor: 'LEADFLOW_TOPICS_REPLICATION_FACTOR',
  ingestedPartitions: 'LEADFLOW_TOPICS_INGESTED_PARTITIONS',
  routePartitions: 'LEADFLOW_TOPICS_ROUTE_PARTITIONS',
} as const;

/** The topics one-shot's options (the Helm chart's Job sets them from its values); names a bad variable. */
export function topicOptionsFromEnv(env: Readonly<Record<string, string | undefined>>): TopicOptions {
  const out: Record<string, number> = {};
  for (const [key, name] of Object.entries(TOPIC_VARIABLES)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1 || n > 1000) throw new Error(`${name} must be an integer from 1 to 1000`);
    out[key] = n;
  }
  return out;
}

/**
 * Creates the fixed topics of the model's topic map that are missing; returns the names created. On a cluster
 * they get replication factor 3 (min ISR 2 is the brokers' default there).
 */
export async function createStackTopics(
  brokers: string,
  security: KafkaSecurity = PLAINTEXT,
  opts: TopicOptions = {},
): Promise<string[]> {
  const admin = createKafka({ brokers: brokers.split(','), clientId: 'leadflow-stack', security }).admin();
  await admin.connect();
  try {
    return await ensureTopics(admin, topicSpecs(opts), opts.replicationFactor);
  } finally {
    await admin.disconnect();
  }
}
