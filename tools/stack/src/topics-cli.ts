import { kafkaSecurityFromEnv } from '@leadflow/service-config';
import { createStackTopics, topicOptionsFromEnv } from './topics';

/**
 * `topics` one-shot of docker-compose.yml and of the Helm chart's Job: the same topic map `./dev up` creates
 * (KAFKA_SECURITY_* honoured), with the partition counts and replication factor of LEADFLOW_TOPICS_* when set.
 */
const brokers = process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092';
Promise.resolve()
  .then(() => createStackTopics(brokers, kafkaSecurityFromEnv(process.env, 'topics'), topicOptionsFromEnv(process.env)))
  .then(
    (created) => {
      process.stdout.write(`topics created: ${created.length === 0 ? 'none (all exist)' : created.join(', ')}\n`);
    },
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
