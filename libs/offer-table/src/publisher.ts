import type { Kafka, Producer } from 'kafkajs';
import { createProducer } from '@leadflow/kafka';
import { Topics, type OfferDestinationRecord } from '@leadflow/lead-model';
import { decodeOfferRecord, encodeOfferRecord } from './record-codec';

export interface OfferDestinationPublisherOptions {
  readonly kafka: Kafka;
  /** Defaults to `Topics.offerDestinations`; tests pass their own topic. */
  readonly topic?: string;
}

/** A record the table would refuse (unsealed secret, key mismatch, ...): never written. */
export class OfferRecordRejectedError extends Error {
  constructor(reason: string) {
    super(`offer destination record refused: ${reason}`);
    this.name = 'OfferRecordRejectedError';
  }
}

/**
 * Writes offer destination records to the compacted `offers.destinations` topic, keyed by offer id so
 * compaction keeps the latest per offer. Each write is acknowledged by all in-sync replicas (acks=-1)
 * through an idempotent producer, so a retried write is not duplicated.
 */
export class OfferDestinationPublisher {
  readonly topic: string;
  readonly #producer: Producer;

  constructor(opts: OfferDestinationPublisherOptions) {
    this.topic = opts.topic ?? Topics.offerDestinations;
    // One request in flight: two quick updates of one offer must land in the order they were sent,
    // or compaction would keep the older one.
    this.#producer = createProducer(opts.kafka);
  }

  connect(): Promise<void> {
    return this.#producer.connect();
  }

  /** Publishes the record (secrets must already be sealed); resolves once the broker acknowledged it. */
  async put(record: OfferDestinationRecord): Promise<void> {
    const value = encodeOfferRecord(record);
    const key = Buffer.from(record.offerId, 'utf8');
    const check = decodeOfferRecord(key, value);
    if (check.kind !== 'record')
      throw new OfferRecordRejectedError(check.kind === 'malformed' ? check.reason : 'empty value');
    await this.#producer.send({ topic: this.topic, acks: -1, messages: [{ key, value }] });
  }

  /** Publishes a tombstone: the offer has no destination any more, and compaction drops its history. */
  async remove(offerId: string): Promise<void> {
    if (offerId.length === 0) throw new OfferRecordRejectedError('offer id is empty');
    await this.#producer.send({ topic: this.topic, acks: -1, messages: [{ key: offerId, value: null }] });
  }

  disconnect(): Promise<void> {
    return this.#producer.disconnect();
  }
}
