import { startBareHttpKafkaServer, benchKafka } from './baselines';

/**
 * The single-lead baseline as its own process (like the ingest it is compared with): a bare node:http
 * server awaiting one acks=all send per request. Env: BENCH_BROKERS, BENCH_TOPIC; prints its URL.
 */
const brokers = process.env['BENCH_BROKERS'] ?? '127.0.0.1:9092';
const topic = process.env['BENCH_TOPIC'] ?? 'bench.bare';
startBareHttpKafkaServer(benchKafka(brokers, 'bench-bare-server'), topic).then(
  (s) => {
    process.stdout.write(`${s.url}\n`);
    process.once('SIGTERM', () => void s.close().then(() => process.exit(0)));
  },
  (err: unknown) => {
    process.stderr.write(`${String(err)}\n`);
    process.exit(1);
  },
);
