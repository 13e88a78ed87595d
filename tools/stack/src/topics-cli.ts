import { kafkaSecurityFromEnv } from '@leadflow/service-config';
import { createStackTopics } from './topics';

/** `topics` one-shot of docker-compose.yml: the same topic map `./dev up` creates (KAFKA_SECURITY_* honoured). */
const brokers = process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092';
Promise.resolve()
  .then(() => createStackTopics(brokers, kafkaSecurityFromEnv(process.env, 'topics')))
  .then(
    (created) => {
      process.stdout.write(`topics created: ${created.length === 0 ? 'none (all exist)' : created.join(', ')}\n`);
    },
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
