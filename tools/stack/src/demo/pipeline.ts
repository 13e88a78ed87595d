import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type KafkaConfig } from 'kafkajs';
import { Headers, readHeaders } from '@leadflow/lead-model';

/** A record of ours found on a route, dead-letter or receipt topic. */
export interface Seen {
  readonly topic: string;
  readonly leadId: string;
  readonly headers: Record<string, string>;
  readonly value: string;
}

/**
 * Reads the pipeline's output topics from the beginning until every wanted lead id has reached one of
 * them (or the timeout): route topics and dead-letter topics carry the lead (ce_id), receipts carry it
 * in their JSON value.
 */
export async function watchPipeline(
  brokers: string,
  pattern: RegExp,
  wanted: ReadonlySet<string>,
  done: (seen: readonly Seen[]) => boolean,
  timeoutMs: number,
  /** TLS and SASL of the secured stack (its admin), empty on the plaintext one. */
  security: Pick<KafkaConfig, 'ssl' | 'sasl'> = {},
): Promise<Seen[]> {
  const kafka = new Kafka({
    brokers: brokers.split(','),
    clientId: 'leadflow-demo-reader',
    logLevel: logLevel.NOTHING,
    ...security,
  });
  const seen = new Map<string, Seen>();
  const deadline = Date.now() + timeoutMs;
  // kafkajs matches a subscription pattern against the topics that exist when it subscribes, and the
  // router creates an offer's own route topic on first use: so read in rounds, re-subscribing each time.
  while (Date.now() < deadline) {
    const consumer = kafka.consumer({ groupId: `leadflow-demo-${randomUUID()}`, maxWaitTimeInMs: 250 });
    await consumer.connect();
    await consumer.subscribe({ topic: pattern, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        const headers = readHeaders(message.headers);
        const value = message.value?.toString('utf8') ?? '';
        const leadId = headers[Headers.ceId] ?? leadIdOf(value);
        if (leadId && wanted.has(leadId)) seen.set(`${topic}/${leadId}`, { topic, leadId, headers, value });
      },
    });
    const roundEnd = Math.min(deadline, Date.now() + 5_000);
    while (!done([...seen.values()]) && Date.now() < roundEnd) await new Promise((r) => setTimeout(r, 100));
    await consumer.disconnect();
    if (done([...seen.values()])) break;
  }
  return [...seen.values()];
}

function leadIdOf(json: string): string | undefined {
  try {
    return (JSON.parse(json) as { leadId?: string }).leadId;
  } catch {
    return undefined;
  }
}
