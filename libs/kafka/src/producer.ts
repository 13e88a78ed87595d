import { readFileSync } from 'node:fs';
import { Partitioners, type Kafka, type Producer, type ProducerConfig } from 'kafkajs';

/**
 * kafkajs 2.2.4 as published can resolve a send whose records were never written when a partition leader dies
 * mid-send (tulios/kafkajs#1303; measured on a 3-node cluster: 42–80 of 20,000 records lost with no error).
 * `patches/kafkajs+2.2.4.patch`, applied by `npm ci` (postinstall), makes a retry re-send every partition that has
 * no response. A service must not run on an install where the patch is missing (say `npm ci --ignore-scripts`), so
 * every producer of leadflow is made here, and the check runs before the first one.
 */
const MARKER = 'responsePerTopicPartition';
let checked = false;

export class UnpatchedKafkaClientError extends Error {
  constructor(file: string) {
    super(
      `kafkajs at ${file} lacks leadflow's failover fix (patches/kafkajs+2.2.4.patch): run \`npm ci\` (or \`npx patch-package\`) so that acknowledged records cannot be lost when a partition leader fails`,
    );
    this.name = 'UnpatchedKafkaClientError';
  }
}

export function assertFailoverSafeProducePath(): void {
  if (checked) return;
  const file = require.resolve('kafkajs/src/producer/sendMessages');
  if (!readFileSync(file, 'utf8').includes(MARKER)) throw new UnpatchedKafkaClientError(file);
  checked = true;
}

export interface LeadflowProducerOptions {
  /** Makes it transactional (the router's read-process-write); fences earlier owners of the same id. */
  readonly transactionalId?: string;
  readonly transactionTimeoutMs?: number;
  /** kafkajs's own retry of a send; the default retries for about 20 s, the length of a leader election. */
  readonly retry?: ProducerConfig['retry'];
}

/**
 * A transactional producer retries first after 20 ms, not the client's 100 ms. The coordinator answers
 * CONCURRENT_TRANSACTIONS to a transaction begun while the previous one's commit markers are still being written (a
 * few ms); the Java producer retries that case after 20 ms (`ADD_PARTITIONS_RETRY_BACKOFF_MS`) for the same reason.
 * Measured with the router at 500 leads/s: ingested → routed p99 100–154 ms with 100 ms, 39 ms with a short first
 * retry. Eleven doublings from 20 ms, capped at 5 s, still span about 20 s: a leader election.
 */
export const TRANSACTIONAL_RETRY = { initialRetryTime: 20, retries: 11, maxRetryTime: 5_000 } as const;

/**
 * An idempotent producer (acks=all is the caller's `send` option, `acks: -1`), never creating topics, with the
 * Java-compatible murmur2 partitioner. One request in flight: kafkajs rolls sequence numbers back when a request
 * fails, which is only safe when no other request of the same producer can take them meanwhile (leadflow's
 * producers also never have two sends in flight: the coalescer sends one batch at a time).
 */
export function createProducer(kafka: Kafka, opts: LeadflowProducerOptions = {}): Producer {
  assertFailoverSafeProducePath();
  return kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
    ...(opts.transactionalId !== undefined ? { transactionalId: opts.transactionalId } : {}),
    ...(opts.transactionTimeoutMs !== undefined ? { transactionTimeout: opts.transactionTimeoutMs } : {}),
    ...(opts.retry !== undefined
      ? { retry: opts.retry }
      : opts.transactionalId !== undefined
        ? { retry: TRANSACTIONAL_RETRY }
        : {}),
  });
}
