import { TOPIC_SPECS } from '@leadflow/lead-model';
import { createKafka, ensureTopics, PLAINTEXT, type KafkaSecurity } from '@leadflow/kafka';

/**
 * Creates the fixed topics of the model's topic map that are missing; returns the names created. On a cluster
 * they get replication factor 3 (min ISR 2 is the brokers' default there).
 */
export async function createStackTopics(brokers: string, security: KafkaSecurity = PLAINTEXT): Promise<string[]> {
  const admin = createKafka({ brokers: brokers.split(','), clientId: 'leadflow-stack', security }).admin();
  await admin.connect();
  try {
    return await ensureTopics(admin, TOPIC_SPECS);
  } finally {
    await admin.disconnect();
  }
}
