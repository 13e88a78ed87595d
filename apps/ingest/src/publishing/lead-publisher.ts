import type { Kafka, Message, Producer } from 'kafkajs';
import type { Span } from '@opentelemetry/api';
import { Headers } from '@leadflow/lead-model';
import { contextFromTraceparent, endSpan, startSendSpan, type Logger } from '@leadflow/observability';
import { errorSummary, keepTrying } from '../common/background';
import { Coalescer, createProducer } from '@leadflow/kafka';

/** One lead, ready for the wire. */
export interface LeadMessage {
  readonly key: string;
  readonly value: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** The lead was not written: the broker is unreachable, or did not acknowledge in time. */
export class BrokerUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BrokerUnavailableError';
  }
}

export interface LeadPublisherOptions {
  readonly kafka: Kafka;
  readonly topic: string;
  readonly logger: Logger;
  readonly lingerMs: number;
  readonly maxBatch: number;
  /**
   * Retry budget of one produce request. kafkajs retries an idempotent producer forever by default;
   * bounded, a dead broker becomes a 503 within seconds (the client retries with the same
   * Idempotency-Key, and sinks upsert by leadId) instead of requests piling up without an answer.
   */
  readonly retry?: { retries: number; initialRetryTime: number; maxRetryTime: number };
  /** Flush outcomes, for metrics. */
  readonly onFlush?: (size: number, ms: number, ok: boolean) => void;
}

/** Ends the records' send spans once the broker answered (error status if it did not acknowledge). */
async function ended(acked: Promise<void>, spans: readonly Span[]): Promise<void> {
  try {
    await acked;
  } catch (err) {
    for (const span of spans) endSpan(span, err);
    throw err;
  }
  for (const span of spans) endSpan(span);
}

/** The record with its trace context replaced (unchanged when it is the same, as without a tracing SDK). */
function withTraceparent(message: LeadMessage, traceparent: string | undefined): LeadMessage {
  if (!traceparent || traceparent === message.headers[Headers.traceparent]) return message;
  return { ...message, headers: { ...message.headers, [Headers.traceparent]: traceparent } };
}

/** Broker limit per request (message.max.bytes ≈ 1 MiB) minus headroom for framing and headers. */
const MAX_REQUEST_BYTES = 900 * 1024;

/** Splits messages into requests under the broker's size limit; a normal batch stays one request. */
export function chunkBySize(messages: readonly LeadMessage[], maxBytes: number): (readonly LeadMessage[])[] {
  // A UTF-16 code unit is at most 3 bytes of UTF-8: when even that bound fits, so do the bytes (no need to count them).
  let bound = 0;
  for (const m of messages) bound += 3 * (m.value.length + m.key.length) + 256;
  if (bound <= maxBytes) return messages.length > 0 ? [messages] : [];
  const chunks: LeadMessage[][] = [];
  let current: LeadMessage[] = [];
  let bytes = 0;
  for (const m of messages) {
    const size = Buffer.byteLength(m.value) + Buffer.byteLength(m.key) + 256;
    if (current.length > 0 && bytes + size > maxBytes) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(m);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/**
 * Writes leads to `leads.ingested` with an idempotent producer (acks=all) and resolves each publish
 * only once the broker acknowledged its record. Concurrent single publishes share produce requests
 * through the coalescer.
 */
export class LeadPublisher {
  private readonly producer: Producer;
  private readonly coalescer: Coalescer<LeadMessage>;
  private connectedFlag = false;
  private connecting: Promise<void> | undefined;
  private readonly abort = new AbortController();

  constructor(private readonly options: LeadPublisherOptions) {
    // Ingest never creates topics: a missing topic is an operator error, not a reason to invent one.
    this.producer = createProducer(options.kafka, {
      retry: options.retry ?? { retries: 5, initialRetryTime: 100, maxRetryTime: 2_000 },
    });
    this.coalescer = new Coalescer<LeadMessage>({
      flush: (items) => this.send(items),
      lingerMs: options.lingerMs,
      maxBatch: options.maxBatch,
      // One request at a time keeps the idempotent producer's sequence numbers in order.
      maxInFlight: 1,
      ...(options.onFlush ? { onFlush: options.onFlush } : {}),
    });
  }

  /** Leads accepted for publishing and not yet acknowledged or failed. */
  get backlog(): number {
    return this.coalescer.backlog;
  }

  get connected(): boolean {
    return this.connectedFlag;
  }

  /**
   * Connects in the background and keeps trying until it succeeds or `close()` is called; until
   * then every publish fails fast with BrokerUnavailableError. Resolves once connected.
   */
  start(): Promise<void> {
    this.connecting ??= keepTrying('lead producer connect', this.options.logger, this.abort.signal, async () => {
      await this.producer.connect();
      this.connectedFlag = true;
      this.options.logger.info({ topic: this.options.topic }, 'lead producer connected');
    }).then(() => undefined);
    return this.connecting;
  }

  /** Resolves once the lead's record is acknowledged; coalesced with concurrent publishes. */
  publish(message: LeadMessage): Promise<void> {
    const sent = this.traced(message);
    return ended(this.coalescer.submit(sent.message), [sent.span]);
  }

  /** Resolves once every record is acknowledged; one produce request (unless over the size limit). */
  publishAll(messages: readonly LeadMessage[]): Promise<void> {
    const traced: LeadMessage[] = [];
    const spans: Span[] = [];
    // The leads of a batch request continue the same trace from the same parent, and the SDK's samplers decide by
    // those alone (parent-based, trace-id ratio, always on/off): the first lead's decision is every other's. Recorded,
    // each lead gets its own send span as a single lead does; dropped, the others carry the first one's unrecorded
    // context instead of making 499 more spans that nothing records (they were a tenth of ingest's CPU per lead).
    // Without a parent each span would start a trace of its own, with its own id and decision: no sharing then.
    let dropped: { parent: string; traceparent: string | undefined } | undefined;
    for (const message of messages) {
      const parent = message.headers[Headers.traceparent];
      if (dropped && dropped.parent === parent) {
        traced.push(withTraceparent(message, dropped.traceparent));
        continue;
      }
      const sent = this.traced(message);
      traced.push(sent.message);
      spans.push(sent.span);
      dropped = sent.span.isRecording() || parent === undefined ? undefined : { parent, traceparent: sent.traceparent };
    }
    return ended(this.coalescer.submitAll(traced), spans);
  }

  /**
   * The lead's `send leads.ingested` span, child of the request's span (the record's `traceparent` so far); the
   * record then carries the send span's own context, which the router continues.
   */
  private traced(message: LeadMessage): { message: LeadMessage; span: Span; traceparent: string | undefined } {
    const parent = contextFromTraceparent(message.headers[Headers.traceparent]);
    const { span, traceparent } = startSendSpan(this.options.topic, parent, {}, message.headers[Headers.ceId]);
    return { message: withTraceparent(message, traceparent), span, traceparent };
  }

  /** Lets queued publishes finish (they are acknowledged or fail), then disconnects. */
  async close(): Promise<void> {
    this.abort.abort();
    await this.coalescer.close();
    await this.producer.disconnect().catch(() => undefined);
    this.connectedFlag = false;
  }

  private async send(items: readonly LeadMessage[]): Promise<void> {
    if (!this.connectedFlag) throw new BrokerUnavailableError('the lead producer is not connected to the broker');
    try {
      for (const chunk of chunkBySize(items, MAX_REQUEST_BYTES)) {
        // kafkajs reads the records without changing them: they go as they are, not copied.
        const messages: Message[] = chunk as LeadMessage[];
        await this.producer.send({ topic: this.options.topic, acks: -1, messages });
      }
    } catch (err) {
      this.options.logger.error({ err: errorSummary(err), leads: items.length }, 'produce failed');
      throw new BrokerUnavailableError('the broker did not acknowledge the leads', { cause: err });
    }
  }
}
