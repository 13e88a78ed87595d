import type { Consumer, Kafka, KafkaMessage, Message, Producer } from 'kafkajs';
import { Coalescer, createProducer } from '@leadflow/kafka';
import {
  deadLetterHeaders,
  dlqCategory,
  isLeadflowError,
  leadflowError,
  parseLeadBytes,
  readHeaders,
  type Destination,
  type DestinationOf,
  type DestinationType,
  type Lead,
  type LeadflowError,
} from '@leadflow/lead-model';
import type { HealthState, Logger } from '@leadflow/observability';
import { openDestination, type Keyring, type OfferTable } from '@leadflow/offer-table';
import type { SinkMetrics } from './metrics';
import { PartitionTracker } from './partition-tracker';
import { nextDelay, type RetryPolicy } from './retry';
import { isBatchSink, type DeliveryContext, type DeliveryResult, type Sink } from './sink.port';
import type { SinkTopics } from './sink-topics';

export interface SinkLimits {
  /** Leads taken from Kafka and not yet settled, across all offers. */
  readonly maxInFlight: number;
  /** Deliveries running at once for one offer; its further leads wait without holding others back. */
  readonly maxInFlightPerOffer: number;
  /** One attempt's timeout. */
  readonly attemptTimeoutMs: number;
  /** How soon the group notices a dead instance and hands its partitions to the others. */
  readonly sessionTimeoutMs?: number;
}

export interface SinkRunnerOptions<T extends DestinationType> {
  /** The service's one name (dead letters' `leadflow.sink`); `<type>-sink` when not given. */
  readonly name?: string;
  readonly kafka: Kafka;
  readonly sink: Sink<T>;
  readonly offers: OfferTable;
  readonly keyring: Keyring;
  readonly topics: SinkTopics;
  readonly groupId: string;
  readonly limits: SinkLimits;
  readonly retry: RetryPolicy;
  readonly logger: Logger;
  readonly metrics: SinkMetrics;
  readonly health: HealthState;
  readonly now?: () => Date;
}

interface Work {
  readonly topic: string;
  readonly partition: number;
  readonly message: KafkaMessage;
  readonly generation: number;
  readonly takenAt: number;
}

/** Why a lead goes to the dead-letter topic. */
interface Failure {
  readonly error: LeadflowError;
  readonly attempts: number;
  readonly exhausted: boolean;
  readonly version?: number;
}

/**
 * The delivery loop every sink shares. Leads are taken from Kafka as fast as the limits allow and
 * delivered concurrently; each one settles as delivered (receipt) or dead-lettered (classified), and a
 * partition's offset is committed only past its settled prefix. Waiting — backoff, a hanging call, an
 * offer at its concurrency limit — happens off the consume path, so one offer never holds back another.
 */
export class SinkRunner<T extends DestinationType> {
  private readonly consumer: Consumer;
  private readonly producer: Producer;
  /**
   * Receipts and dead letters of concurrent deliveries share produce requests (kafkajs sends each
   * `send()` as its own request, which would cap a sink at one round trip per lead).
   */
  private readonly outbox: Coalescer<{ topic: string; message: Message }>;
  private readonly trackers = new Map<string, PartitionTracker>();
  private readonly perOffer = new Map<string, { running: number; queue: (() => void)[] }>();
  /** offerId@version → the configuration error that broke it: its next leads skip the destination. */
  private readonly broken = new Map<string, LeadflowError>();
  private readonly opened = new Map<string, Destination>();
  private readonly abort = new AbortController();
  private readonly slotWaiters: (() => void)[] = [];
  private inFlight = 0;
  private generation = 0;
  /** Topics of the current assignment (paused at shutdown: the group stays joined until the final commit). */
  private assigned: string[] = [];
  private commitTimer: NodeJS.Timeout | undefined;
  private readonly now: () => Date;

  constructor(private readonly o: SinkRunnerOptions<T>) {
    this.now = o.now ?? (() => new Date());
    const sessionTimeout = o.limits.sessionTimeoutMs ?? 30_000;
    this.consumer = o.kafka.consumer({
      groupId: o.groupId,
      sessionTimeout,
      heartbeatInterval: Math.floor(sessionTimeout / 10),
      maxWaitTimeInMs: 500,
    });
    this.producer = createProducer(o.kafka);
    this.outbox = new Coalescer({
      lingerMs: 2,
      maxBatch: 500,
      flush: async (items) => {
        const byTopic = new Map<string, Message[]>();
        for (const { topic, message } of items) byTopic.set(topic, [...(byTopic.get(topic) ?? []), message]);
        await this.producer.sendBatch({
          acks: -1,
          topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
        });
      },
    });
    // A rebalance may give our partitions to another instance: results of work taken before it are not
    // committed by us (the new owner replays from the committed offset; deliveries are idempotent).
    this.consumer.on(this.consumer.events.GROUP_JOIN, (e) => {
      this.assigned = Object.keys(e.payload.memberAssignment);
      this.generation++;
      this.trackers.clear();
      this.o.health.setReady(true, 'consuming');
    });
    this.consumer.on(this.consumer.events.CRASH, (e) => {
      if (!e.payload.restart) this.o.health.setDead(`consumer crashed: ${e.payload.error.message}`);
    });
  }

  async start(): Promise<void> {
    await this.o.offers.start();
    await this.producer.connect();
    await this.consumer.connect();
    // kafkajs matches the pattern against the topics that exist at subscribe time (and on restart): an
    // offer's own route topic created later is picked up when the sink restarts or rebalances.
    await this.consumer.subscribe({ topic: this.o.topics.routes, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: 3,
      eachBatch: async ({ batch, heartbeat, isRunning, isStale }) => {
        const key = `${batch.topic}/${batch.partition}`;
        let tracker = this.trackers.get(key);
        if (!tracker) this.trackers.set(key, (tracker = new PartitionTracker()));
        for (const message of batch.messages) {
          if (!isRunning() || isStale()) break;
          await this.takeSlot(heartbeat);
          tracker.add(message.offset);
          void this.handle({
            topic: batch.topic,
            partition: batch.partition,
            message,
            generation: this.generation,
            takenAt: Date.now(),
          });
        }
      },
    });
    this.commitTimer = setInterval(() => void this.commit(), 500);
  }

  /** Stops taking leads, lets in-flight ones settle within the deadline, commits, disconnects. */
  async stop(deadlineMs: number): Promise<void> {
    this.o.health.setReady(false, 'stopping');
    // Pause rather than stop: a stopped consumer can no longer commit what settles from here on.
    this.consumer.pause(this.assigned.map((topic) => ({ topic })));
    const until = Date.now() + deadlineMs;
    while (this.inFlight > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    // What did not settle is handed back: its offset is not committed, the next owner replays it.
    this.abort.abort();
    if (this.commitTimer) clearInterval(this.commitTimer);
    await this.outbox.close();
    await this.commit();
    await this.consumer.stop();
    await this.consumer.disconnect();
    await this.producer.disconnect();
    await this.o.offers.stop();
  }

  private async takeSlot(heartbeat: () => Promise<void>): Promise<void> {
    while (this.inFlight >= this.o.limits.maxInFlight) {
      // Woken by a released slot, or after a second to heartbeat (a long wait must not cost the group).
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          const i = this.slotWaiters.indexOf(wake);
          if (i !== -1) this.slotWaiters.splice(i, 1);
          resolve();
        };
        const timer = setTimeout(wake, 1_000);
        this.slotWaiters.push(wake);
      });
      await heartbeat();
    }
    this.inFlight++;
    this.o.metrics.inFlight.set({ sink: this.o.sink.type }, this.inFlight);
  }

  private releaseSlot(): void {
    this.inFlight--;
    this.o.metrics.inFlight.set({ sink: this.o.sink.type }, this.inFlight);
    this.slotWaiters.shift()?.();
  }

  private async handle(w: Work): Promise<void> {
    let settled = false;
    try {
      const parsed = parseLeadBytes(w.message.value);
      if (parsed.ok) {
        await this.withOfferSlot(parsed.value.offerId, () => this.deliver(w, parsed.value));
      } else {
        const issues = parsed.issues.map((i) => `${i.path}: ${i.message}`).join('; ');
        await this.deadLetter(w, {
          error: leadflowError('ROUTER.MALFORMED_EVENT', `not a lead: ${issues}`),
          attempts: 0,
          exhausted: false,
        });
      }
      settled = true;
    } catch (err) {
      if (!(err instanceof HandedBack)) {
        // Only a failure to write the dead letter or receipt lands here: the offset stays unsettled so
        // the lead is replayed, and the instance reports itself unhealthy rather than skip work.
        this.o.logger.error(
          { err: errorSummary(err), topic: w.topic, partition: w.partition, offset: w.message.offset },
          'could not settle a lead; it will be replayed',
        );
        this.o.health.setDead('could not write to Kafka');
      }
    } finally {
      this.releaseSlot();
      if (settled && w.generation === this.generation)
        this.trackers.get(`${w.topic}/${w.partition}`)?.settle(w.message.offset);
    }
  }

  private async withOfferSlot(offerId: string, fn: () => Promise<void>): Promise<void> {
    let slot = this.perOffer.get(offerId);
    if (!slot) this.perOffer.set(offerId, (slot = { running: 0, queue: [] }));
    const s = slot;
    if (s.running >= this.o.limits.maxInFlightPerOffer) await new Promise<void>((r) => s.queue.push(r));
    s.running++;
    try {
      await fn();
    } finally {
      s.running--;
      const next = s.queue.shift();
      if (next) next();
      else if (s.running === 0) this.perOffer.delete(offerId);
    }
  }

  private destinationFor(lead: Lead): { destination: DestinationOf<T>; version: number } | LeadflowError {
    const record = this.o.offers.get(lead.offerId);
    if (!record || record.destination.type !== this.o.sink.type) {
      return leadflowError(
        'ROUTER.OFFER_NOT_CONFIGURED',
        `offer ${lead.offerId} has no ${this.o.sink.type} destination now (removed or changed since it was routed)`,
      );
    }
    const key = `${lead.offerId}@${record.version}`;
    let destination = this.opened.get(key);
    if (!destination) {
      destination = openDestination(record.destination, this.o.keyring, lead.offerId);
      this.opened.set(key, destination);
    }
    return { destination: destination as DestinationOf<T>, version: record.version };
  }

  private async deliver(w: Work, lead: Lead): Promise<void> {
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      const target = this.destinationFor(lead);
      if (isLeadflowError(target))
        return this.deadLetter(w, { error: target, attempts: attempt - 1, exhausted: false });
      const circuit = `${lead.offerId}@${target.version}`;
      const broken = this.broken.get(circuit);
      if (broken)
        return this.deadLetter(w, { error: broken, attempts: attempt - 1, exhausted: false, version: target.version });

      const timeout = AbortSignal.timeout(this.o.limits.attemptTimeoutMs);
      const signal = AbortSignal.any([timeout, this.abort.signal]);
      try {
        const result = await deliverOne(this.o.sink, lead, target.destination, { signal, attempt });
        await this.receipt(lead, attempt, result);
        this.o.metrics.delivered.inc({ sink: this.o.sink.type });
        this.o.metrics.latency.observe({ sink: this.o.sink.type }, (Date.now() - w.takenAt) / 1000);
        return;
      } catch (err) {
        const error = this.classify(err);
        if (!error.retriable) {
          if (error.category === 'configuration') this.broken.set(circuit, error);
          return this.deadLetter(w, { error, attempts: attempt, exhausted: false, version: target.version });
        }
        const delay = this.abort.signal.aborted
          ? undefined
          : nextDelay(this.o.retry, attempt, Date.now() - started, error.retryAfterMs);
        if (delay === undefined) {
          if (this.abort.signal.aborted) throw new HandedBack();
          return this.deadLetter(w, { error, attempts: attempt, exhausted: true, version: target.version });
        }
        this.o.metrics.retries.inc({ sink: this.o.sink.type, error_class: error.code });
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  private classify(err: unknown): LeadflowError {
    try {
      return this.o.sink.classify(err);
    } catch (bug) {
      return leadflowError('INTERNAL.UNEXPECTED', `classifier failed: ${errorSummary(bug)}`);
    }
  }

  private async receipt(lead: Lead, attempts: number, result: DeliveryResult): Promise<void> {
    const receipt = {
      leadId: lead.leadId,
      offerId: lead.offerId,
      destination: this.o.sink.type,
      ...(result.externalId ? { externalId: result.externalId } : {}),
      ...(result.unconfirmed ? { unconfirmed: true } : {}),
      attempts,
      deliveredAt: this.now().toISOString(),
      isTest: lead.isTest,
    };
    await this.outbox.submit({
      topic: this.o.topics.delivered,
      message: { key: lead.offerId, value: JSON.stringify(receipt) },
    });
  }

  private async deadLetter(w: Work, f: Failure): Promise<void> {
    const category = dlqCategory(f.error.code, f.exhausted);
    const message = f.error.code === 'INTERNAL.UNEXPECTED' && f.error.stack ? f.error.stack : f.error.message;
    const headers = deadLetterHeaders({
      original: readHeaders(w.message.headers),
      errorClass: f.error.code,
      category,
      message,
      originalTopic: w.topic,
      partition: w.partition,
      offset: w.message.offset,
      sink: this.o.name ?? `${this.o.sink.type}-sink`,
      attempts: f.attempts,
      failedAt: this.now(),
      ...(f.version !== undefined ? { destinationVersion: f.version } : {}),
    });
    await this.outbox.submit({
      topic: this.o.topics.deadLetter,
      message: { key: w.message.key, value: w.message.value, headers },
    });
    this.o.metrics.deadLettered.inc({ sink: this.o.sink.type, error_class: f.error.code, category });
    this.o.logger.warn(
      {
        errorClass: f.error.code,
        category,
        attempts: f.attempts,
        topic: w.topic,
        partition: w.partition,
        offset: w.message.offset,
      },
      'lead dead-lettered',
    );
  }

  private async commit(): Promise<void> {
    const offsets: { topic: string; partition: number; offset: string }[] = [];
    for (const [key, tracker] of this.trackers) {
      const next = tracker.nextCommit;
      if (next === undefined) continue;
      const slash = key.lastIndexOf('/');
      offsets.push({ topic: key.slice(0, slash), partition: Number(key.slice(slash + 1)), offset: next });
    }
    if (offsets.length === 0) return;
    try {
      await this.consumer.commitOffsets(offsets);
    } catch (err) {
      // A rebalance in progress: the next owner starts from the last committed offset (replay, no skip).
      this.o.logger.warn({ err: errorSummary(err) }, 'offset commit failed');
    }
  }
}

/** One lead through either kind of sink (a batch sink gets a batch of one). */
async function deliverOne<T extends DestinationType>(
  sink: Sink<T>,
  lead: Lead,
  destination: DestinationOf<T>,
  ctx: DeliveryContext,
): Promise<DeliveryResult> {
  if (!isBatchSink(sink)) return sink.deliver(lead, destination, ctx);
  const [outcome] = await sink.deliverBatch([lead], destination, { signal: ctx.signal, attempts: [ctx.attempt] });
  if (!outcome) throw new Error(`${sink.type} sink returned no outcome for a batch of one`);
  if (!outcome.ok) throw outcome.error;
  return outcome;
}

/** Shutdown gave up on an unfinished delivery: not settled, not committed, replayed by the next owner. */
class HandedBack extends Error {}

/** An error's name, code and message only: never a request or response body. */
export function errorSummary(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return `${err.name}${typeof code === 'string' ? ` ${code}` : ''}: ${err.message}`;
  }
  return String(err);
}
