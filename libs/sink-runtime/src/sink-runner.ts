import { context } from '@opentelemetry/api';
import type { Admin, Consumer, ConsumerRunConfig, Kafka } from 'kafkajs';
import { createProducer, trackConsumerLag } from '@leadflow/kafka';
import {
  deadLetterSeriesOf,
  Headers,
  leadflowError,
  parseLeadBytes,
  readHeaders,
  type DestinationOf,
  type DestinationType,
  type Lead,
} from '@leadflow/lead-model';
import { deadLetterCounter, endSpan, startProcessSpan, type HealthState, type Logger } from '@leadflow/observability';
import type { Keyring, OfferTable } from '@leadflow/offer-table';
import { errorSummary, FOREVER, retry, sleep, type RetryPolicy } from '@leadflow/retry';
import { attemptSignal, boundedBy } from './attempt-bound';
import { Circuit } from './circuit';
import { DeliveryBatcher } from './delivery-batcher';
import { InFlightLimit } from './in-flight-limit';
import { HandedBack, LeadDelivery } from './lead-delivery';
import type { SinkMetrics } from './metrics';
import { OfferDestinations } from './offer-destinations';
import { OffsetLedger, type Ticket } from './offset-ledger';
import { PerKeyLimit } from './per-key-limit';
import { QuotaWaitBoard } from './quota-wait-board';
import { Settlement, type TakenRecord } from './settlement';
import { isBatchSink, type DeliveryResult, type Sink } from './sink.port';
import type { SinkTopics } from './sink-topics';
import { TopicWatcher } from './topic-watcher';

export interface SinkLimits {
  /** Leads in an attempt at their destinations at once, across all offers (the instance's concurrency). */
  readonly maxInFlight: number;
  /**
   * Deliveries running at once for one offer (calls, for a batch sink); its further leads wait without holding
   * others back.
   */
  readonly maxInFlightPerOffer: number;
  /**
   * Leads taken from Kafka and not yet settled — in an attempt, or waiting for their offer's turn, a retry or a
   * quota: the consumer takes no more while this many are held (memory). Default 5,000, and never below
   * `maxInFlight`. One partition may hold a fifth of it (at least `maxInFlight`): a partition at its share is paused
   * until half of that settled, so a backlog queued behind one offer's limit holds back only its own partition.
   */
  readonly maxUnsettled?: number;
  /** One attempt's timeout. */
  readonly attemptTimeoutMs: number;
  /** How soon the group notices a dead instance and hands its partitions to the others. */
  readonly sessionTimeoutMs?: number;
  /** How often new route topics (an offer's own `leads.route.<type>.<suffix>`) are looked for; default 10 s. */
  readonly topicRefreshMs?: number;
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
  /** Opened (decrypted) destinations kept in memory: bounded by count and age (defaults 10,000 and 1 hour). */
  readonly destinationCache?: { readonly maxEntries: number; readonly maxAgeMs: number };
  readonly now?: () => Date;
  /** Quota waits shorter than this are not published to offers.quota-waits (default 30 s; tests shorten it). */
  readonly quotaWaitsShownFromMs?: number;
}

/** A lead taken from Kafka, on its way to settling. */
interface Work extends TakenRecord {
  readonly ticket: Ticket;
  readonly takenAt: number;
}

/**
 * The shell every sink shares: it wires the small parts — the in-flight limits, the offers' destinations, the
 * circuit, the per-lead delivery loop, the batcher of batch sinks, settlement (receipts and dead letters) and the
 * offset ledger — and runs the consumer's lifecycle (start, new route topics, commits, stop). Leads are taken from
 * Kafka as fast as the limits allow and delivered concurrently; a partition's offset is committed only past its
 * settled prefix. Waiting — backoff, a hanging call, an offer at its limit, a quota — happens off the consume path.
 */
export class SinkRunner<T extends DestinationType> {
  private readonly consumer: Consumer;
  private readonly settlement: Settlement;
  private readonly ledger = new OffsetLedger();
  /** Leads taken and not settled (the consumer's backpressure: memory). */
  private readonly unsettledLimit: InFlightLimit;
  /** Leads in an attempt, across offers (the consumer's backpressure: a lead waiting for a place here). */
  private readonly calls: InFlightLimit;
  /** Unsettled leads one partition may hold before it is paused. */
  private readonly perPartition: number;
  /** Partitions paused at their share of unsettled leads (`topic:partition`), and how to resume each. */
  private readonly held = new Map<string, { topic: string; partition: number; resume: () => void }>();
  private readonly delivery: LeadDelivery<T>;
  /** Leads held for a quota, published for the offer status (offers.quota-waits). */
  private readonly quotaWaits: QuotaWaitBoard | undefined;
  private readonly circuit = new Circuit();
  /** Leads taken and not settled, for the age of the oldest (the sink's lag in seconds). */
  private readonly unsettled = new Set<Work>();
  private readonly metrics: SinkMetrics;
  private readonly batcher: DeliveryBatcher<T> | undefined;
  private readonly shutdown = new AbortController();
  private readonly producer;
  private readonly label: { sink: T };
  private readonly name: string;
  private readonly groupId: string;
  /** Topics of the current assignment (paused at shutdown: the group stays joined until the final commit). */
  private assigned: string[] = [];
  /** One lease per partition this instance holds (`topic:partition`), aborted when the partition moves away. */
  private readonly leases = new Map<string, AbortController>();
  /** The partitions of the current assignment, `topic:partition`. */
  private owned = new Set<string>();
  /** Newly gained partitions whose leads wait for the sink's handover (`Sink.handoverMs`) until this time. */
  private readonly handoverUntil = new Map<string, number>();
  private commitTimer: NodeJS.Timeout | undefined;
  private starting: Promise<void> | undefined;
  private admin: Admin | undefined;
  private watcher: TopicWatcher | undefined;

  // What the runner uses after construction; the rest of the options only wire the parts above.
  private readonly kafka: Kafka;
  private readonly sink: Sink<T>;
  private readonly offers: OfferTable;
  private readonly topics: SinkTopics;
  private readonly limits: SinkLimits;
  private readonly logger: Logger;
  private readonly health: HealthState;

  constructor(options: SinkRunnerOptions<T>) {
    this.kafka = options.kafka;
    this.sink = options.sink;
    this.offers = options.offers;
    this.topics = options.topics;
    this.limits = options.limits;
    this.logger = options.logger;
    this.health = options.health;
    this.metrics = options.metrics;
    const now = options.now ?? (() => new Date());
    const type = options.sink.type;
    this.label = { sink: type };
    this.name = options.name ?? `${type}-sink`;
    this.groupId = options.groupId;
    const sessionTimeout = options.limits.sessionTimeoutMs ?? 30_000;
    this.consumer = options.kafka.consumer({
      groupId: options.groupId,
      sessionTimeout,
      heartbeatInterval: Math.floor(sessionTimeout / 10),
      // An empty fetch returns after this long. Longer would save an idle instance's CPU (each empty fetch costs
      // some), but a rebalance waits for the fetch in flight: at 2 s an instance joining under load took no
      // partition before the leads were gone (sink-runner.int-spec), and a scale-out must be felt at once.
      maxWaitTimeInMs: 500,
    });
    this.producer = createProducer(options.kafka);
    this.settlement = new Settlement({
      producer: this.producer,
      topics: options.topics,
      sinkName: this.name,
      sinkType: type,
      metrics: options.metrics,
      logger: options.logger,
      now,
    });
    this.quotaWaits = options.topics.quotaWaits
      ? new QuotaWaitBoard({
          producer: this.producer,
          topic: options.topics.quotaWaits,
          type,
          logger: options.logger,
          now,
          ...(options.quotaWaitsShownFromMs !== undefined ? { minWaitMs: options.quotaWaitsShownFromMs } : {}),
        })
      : undefined;
    const calls = new InFlightLimit(options.limits.maxInFlight, (n) => options.metrics.inFlight.set(this.label, n));
    this.calls = calls;
    const perOffer = new PerKeyLimit(options.limits.maxInFlightPerOffer);
    const maxUnsettled = Math.max(options.limits.maxInFlight, options.limits.maxUnsettled ?? 5_000);
    this.unsettledLimit = new InFlightLimit(maxUnsettled, (n) => options.metrics.unsettled.set(this.label, n));
    this.perPartition = Math.max(options.limits.maxInFlight, Math.floor(maxUnsettled / 5));
    this.batcher = isBatchSink(options.sink)
      ? new DeliveryBatcher({
          sink: options.sink,
          attemptTimeoutMs: options.limits.attemptTimeoutMs,
          shutdown: this.shutdown.signal,
          places: calls,
          onBatch: (size) => options.metrics.batchSize.observe(this.label, size),
        })
      : undefined;
    this.delivery = new LeadDelivery({
      type,
      destinations: new OfferDestinations({
        type,
        offers: options.offers,
        keyring: options.keyring,
        cache: options.destinationCache ?? { maxEntries: 10_000, maxAgeMs: 3_600_000 },
        count: (event) => options.metrics.destinationCache.inc({ ...this.label, event }),
      }),
      circuit: this.circuit,
      attempt: (lead, destination, version, attempt, gone) => this.attempt(lead, destination, version, attempt, gone),
      classify: (err) => options.sink.classify(err),
      settlement: this.settlement,
      retry: options.retry,
      // The offer's turn first, then a place among the instance's attempts: a lead queued behind its own offer
      // holds no place another offer could use. A batch sink's leads take their places (and its per-offer limit
      // counts calls) in the batcher, when a call starts.
      gate: this.batcher
        ? (_offerId, attempt) => attempt()
        : (offerId, attempt) => perOffer.run(offerId, () => calls.run(attempt)),
      metrics: options.metrics,
      shutdown: this.shutdown.signal,
      ...(this.quotaWaits ? { quotaWaits: this.quotaWaits } : {}),
    });
    trackConsumerLag(this.consumer, options.metrics.registry, options.groupId);
    // Counters that alerts and panels read exist from the start (a rate over nothing is 0, not no series).
    options.metrics.quotaWaits.inc({ destination_type: type }, 0);
    deadLetterCounter(
      options.metrics.registry,
      deadLetterSeriesOf(type).map((s) => ({ ...s, stage: type })),
    );
    this.consumer.on(this.consumer.events.GROUP_JOIN, (e) => {
      this.assigned = Object.keys(e.payload.memberAssignment);
      const assignment = e.payload.memberAssignment;
      const kept = (topic: string, partition: number) =>
        this.owned.has(`${topic}:${partition}`) && (assignment[topic] ?? []).includes(partition);
      // A partition that moved away: its new owner replays from the committed offset. One kept: fetching resumes
      // after what was taken (the consumer would start again from the committed offset and take the leads in flight
      // a second time, a duplicate call to the CRM each). The seek only moves this consumer's next fetch.
      for (const at of this.ledger.rebalanced(kept)) this.consumer.seek(at);
      // A held partition that moved away is no longer this instance's to resume; a kept one stays held.
      for (const [key, h] of this.held) {
        if (!kept(h.topic, h.partition)) {
          h.resume();
          this.held.delete(key);
        }
      }
      this.reassigned(assignment);
      this.health.setReady(true, 'consuming');
    });
    this.consumer.on(this.consumer.events.CRASH, (e) => {
      if (!e.payload.restart) this.health.setDead(`consumer crashed: ${e.payload.error.message}`);
    });
  }

  /**
   * Connects and starts consuming. A broker that is not there yet is waited for with backoff (the service stays
   * up and not ready) until it answers or `stop` is called.
   */
  start(): Promise<void> {
    this.starting ??= retry(() => this.connect(), {
      policy: FOREVER,
      signal: this.shutdown.signal,
      onRetry: (err, attempt, delayMs) => {
        this.health.setReady(false, 'waiting for Kafka');
        this.logger.warn({ err: errorSummary(err), attempt, retryInMs: delayMs }, 'sink start failed; retrying');
      },
    }).then(() => {
      this.commitTimer = setInterval(() => {
        void this.commit();
        this.observe();
      }, 500);
    });
    return this.starting;
  }

  private readonly runConfig: ConsumerRunConfig = {
    autoCommit: false,
    partitionsConsumedConcurrently: 3,
    eachBatch: async ({ batch, heartbeat, isRunning, isStale, pause }) => {
      const { topic, partition } = batch;
      const key = `${topic}:${partition}`;
      for (const message of batch.messages) {
        if (!isRunning() || isStale()) break;
        if (this.ledger.unsettledIn(topic, partition) >= this.perPartition) {
          // This partition's leads are stuck behind their offers' limits (a hanging or throttled CRM): it waits,
          // paused, from this record on, and the other partitions keep going. Resumed by the settlement that brings
          // it to half its share (settle).
          this.consumer.seek({ topic, partition, offset: message.offset });
          this.held.set(key, { topic, partition, resume: pause() });
          break;
        }
        // Taken only while the instance's attempts have room: with every place busy and leads waiting for one, more
        // would just wait in memory. Leads queued behind their own offer's limit (a hanging or throttled CRM) do not
        // stop it: other offers' leads are taken past them, up to the unsettled bound.
        await this.calls.untilNoneWaiting(heartbeat);
        await this.unsettledLimit.acquire(heartbeat);
        const ticket = this.ledger.take(topic, partition, message.offset);
        const lease = this.lease(key);
        void this.handle({
          topic,
          partition,
          message,
          ticket,
          lease,
          notBefore: this.handoverUntil.get(key),
          takenAt: Date.now(),
        });
      }
    },
  };

  /** One attempt to start: on failure, what it connected is disconnected again, so the next attempt starts clean. */
  private async connect(): Promise<void> {
    try {
      await this.connectAll();
    } catch (err) {
      await this.disconnect();
      throw err;
    }
  }

  private async connectAll(): Promise<void> {
    await this.offers.start();
    await this.producer.connect();
    const admin = this.kafka.admin();
    await admin.connect();
    this.admin = admin;
    this.watcher = new TopicWatcher({
      pattern: this.topics.routes,
      list: () => admin.listTopics(),
      intervalMs: this.limits.topicRefreshMs ?? 10_000,
      onChange: (topics) => this.resubscribe(topics),
      onError: (err) => this.logger.warn({ err: errorSummary(err) }, 'looking for new route topics failed'),
    });
    const topics = await this.watcher.initial();
    await this.consumer.connect();
    // kafkajs matches a pattern only against the topics that exist when it subscribes: the watcher subscribes
    // again when an offer's own route topic appears.
    await this.consumer.subscribe(
      topics.length > 0
        ? { topics: [...topics], fromBeginning: true }
        : { topic: this.topics.routes, fromBeginning: true },
    );
    await this.consumer.run(this.runConfig);
    this.watcher.start();
  }

  /**
   * A route topic appeared (or went): settle what is in flight (bounded), commit, and join again with the new
   * subscription. What does not settle in time is handed back to the partition's next owner, as at a rebalance.
   */
  private async resubscribe(topics: readonly string[]): Promise<void> {
    this.logger.info({ topics }, 'route topics changed; subscribing again');
    const assigned = this.assigned.map((topic) => ({ topic }));
    this.consumer.pause(assigned);
    const until = Date.now() + Math.min(30_000, this.limits.attemptTimeoutMs * 2);
    while (this.unsettledLimit.inFlight > 0 && Date.now() < until) await sleep(50);
    await this.commit();
    this.consumer.resume(assigned);
    await this.consumer.stop();
    // The new run joins afresh: its fetch positions come from the commits and the ledger, not from a pause.
    for (const h of this.held.values()) h.resume();
    this.held.clear();
    await this.consumer.subscribe({ topics: [...topics], fromBeginning: true });
    await this.consumer.run(this.runConfig);
  }

  /** Stops taking leads, lets in-flight ones settle within the deadline, commits, disconnects. */
  async stop(deadlineMs: number): Promise<void> {
    this.health.setReady(false, 'stopping');
    await this.watcher?.stop();
    if (!this.commitTimer) {
      // Never got to consume (the broker never answered): end the wait for it.
      this.shutdown.abort();
      await this.starting?.catch(() => undefined);
      await this.disconnect();
      return;
    }
    // Pause rather than stop: a stopped consumer can no longer commit what settles from here on.
    this.consumer.pause(this.assigned.map((topic) => ({ topic })));
    const until = Date.now() + deadlineMs;
    while (this.unsettledLimit.inFlight > 0 && Date.now() < until) await sleep(50);
    // What did not settle is handed back: its offset is not committed, the next owner replays it.
    this.shutdown.abort();
    clearInterval(this.commitTimer);
    await this.settlement.close();
    await this.commit();
    await this.consumer.stop();
    await this.disconnect();
  }

  private async disconnect(): Promise<void> {
    await this.watcher?.stop();
    const admin = this.admin;
    this.admin = undefined;
    // Side by side: each waits on its own sockets (the offer table's consumer for its fetch in flight), and they share
    // the shutdown deadline; one after another they overran it on a loaded machine.
    await Promise.all([
      admin?.disconnect().catch(() => undefined),
      this.consumer.disconnect().catch(() => undefined),
      (async () => {
        // Leads handed back stop waiting here: the next owner shows them again when it holds them.
        await this.quotaWaits?.flush().catch(() => undefined);
        await this.producer.disconnect().catch(() => undefined);
      })(),
      this.offers.stop().catch(() => undefined),
    ]);
  }

  /**
   * The lead's `process <route topic>` span (parent: the router's send), active for the whole delivery: the CRM
   * calls' client spans, the receipt's or dead letter's send span and every log line of the lead's work are in it.
   */
  private handle(w: Work): Promise<void> {
    const h = readHeaders(w.message.headers);
    const { span, context: ctx } = startProcessSpan(
      {
        topic: w.topic,
        partition: w.partition,
        offset: w.message.offset,
        traceparent: h[Headers.traceparent],
        leadId: h[Headers.ceId],
      },
      this.groupId,
      { 'leadflow.destination.type': this.sink.type, ...(h[Headers.replayOf] ? { 'leadflow.replay': true } : {}) },
    );
    this.unsettled.add(w);
    return context
      .with(ctx, () => this.settle(w))
      .finally(() => {
        this.unsettled.delete(w);
        endSpan(span);
      });
  }

  /** The gauges read from the runner's state: lag in seconds (oldest unsettled lead), open circuits. */
  private observe(): void {
    const labels = { destination_type: this.sink.type };
    let oldest = Number.POSITIVE_INFINITY;
    for (const w of this.unsettled) oldest = Math.min(oldest, Number(w.message.timestamp));
    this.metrics.lagSeconds.set(labels, Number.isFinite(oldest) ? Math.max(0, (Date.now() - oldest) / 1000) : 0);
    this.metrics.circuitsOpen.set(labels, this.circuit.size);
    this.metrics.circuitOpenSeconds.set(labels, this.circuit.oldestOpenMs() / 1000);
  }

  private async settle(w: Work): Promise<void> {
    let settled = false;
    try {
      const parsed = parseLeadBytes(w.message.value);
      if (!parsed.ok) {
        const issues = parsed.issues.map((i) => `${i.path}: ${i.message}`).join('; ');
        const error = leadflowError('ROUTER.MALFORMED_EVENT', `not a lead: ${issues}`);
        await this.settlement.deadLettered(w, { error, attempts: 0, exhausted: false });
      } else {
        await this.delivery.deliver(w, parsed.value);
      }
      settled = true;
    } catch (err) {
      if (!(err instanceof HandedBack)) {
        // Only a failure to write the dead letter or receipt lands here: the offset stays unsettled so the lead
        // is replayed, and the instance reports itself unhealthy rather than skip work.
        this.logger.error(
          { err: errorSummary(err), topic: w.topic, partition: w.partition, offset: w.message.offset },
          'could not settle a lead; it will be replayed',
        );
        this.health.setDead('could not write to Kafka');
      }
    } finally {
      this.unsettledLimit.release();
      if (settled) this.ledger.settle(w.ticket);
      // A held partition takes leads again as soon as half its share settled (only a settlement lowers its count).
      if (this.held.size > 0) this.resumeHeld(`${w.topic}:${w.partition}`);
    }
  }

  /**
   * The new assignment: leases of partitions that moved away are aborted (their leads are handed back, not attempted
   * again here), and the leads of partitions it did not hold wait for the sink's handover, if it asks for one.
   */
  private reassigned(assignment: Record<string, number[]>): void {
    const now = new Set(Object.entries(assignment).flatMap(([topic, ps]) => ps.map((p) => `${topic}:${p}`)));
    for (const [key, lease] of this.leases) {
      if (!now.has(key)) {
        lease.abort(new HandedBack(`partition ${key} moved to another instance`));
        this.leases.delete(key);
      }
    }
    const handoverMs = this.sink.handoverMs ?? 0;
    const until = Date.now() + handoverMs;
    for (const key of this.handoverUntil.keys()) if (!now.has(key)) this.handoverUntil.delete(key);
    for (const key of now) if (handoverMs > 0 && !this.owned.has(key)) this.handoverUntil.set(key, until);
    this.owned = now;
  }

  /** A held partition with half its share settled takes leads again. */
  private resumeHeld(key: string): void {
    const h = this.held.get(key);
    if (h && this.ledger.unsettledIn(h.topic, h.partition) <= this.perPartition / 2) {
      this.held.delete(key);
      h.resume();
    }
  }

  private lease(key: string): AbortSignal {
    let lease = this.leases.get(key);
    if (!lease) this.leases.set(key, (lease = new AbortController()));
    return lease.signal;
  }

  /** One attempt: a call of its own for a single sink, a place in the offer's next batch for a batch sink. */
  private attempt(
    lead: Lead,
    destination: DestinationOf<T>,
    version: number,
    attempt: number,
    gone: AbortSignal,
  ): Promise<DeliveryResult> {
    if (this.batcher) return this.batcher.submit(`${lead.offerId}@${version}`, lead, destination, attempt, gone);
    const sink = this.sink;
    if (isBatchSink(sink)) throw new Error('a batch sink without a batcher');
    const { signal, end } = attemptSignal(this.limits.attemptTimeoutMs, [gone]);
    return boundedBy(signal, sink.deliver(lead, destination, { signal, attempt })).finally(end);
  }

  private async commit(): Promise<void> {
    const offsets = this.ledger.pending();
    if (offsets.length === 0) return;
    try {
      await this.consumer.commitOffsets(offsets);
      this.ledger.markCommitted(offsets);
    } catch (err) {
      // A rebalance in progress: the next owner starts from the last committed offset (replay, no skip).
      this.logger.warn({ err: errorSummary(err) }, 'offset commit failed');
    }
  }
}
