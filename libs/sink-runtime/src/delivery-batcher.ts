import { context, trace, type Context, type Link } from '@opentelemetry/api';
import type { DestinationOf, DestinationType, Lead } from '@leadflow/lead-model';
import { endSpan, linkTo, tracer } from '@leadflow/observability';
import { attemptSignal, boundedBy } from './attempt-bound';
import type { InFlightLimit } from './in-flight-limit';
import type { BatchSink, DeliveryResult } from './sink.port';

interface Pending<T extends DestinationType> {
  readonly lead: Lead;
  readonly destination: DestinationOf<T>;
  readonly attempt: number;
  /** The lead's own context (its process span), which the batch call links to. */
  readonly context: Context;
  /** The lead's partition lease (TakenRecord.lease): the call is cut short once the partition moved. */
  readonly gone: AbortSignal | undefined;
  resolve(result: DeliveryResult): void;
  reject(err: unknown): void;
}

/** One offer version's leads waiting for a call, and the calls running for it. */
interface Queue<T extends DestinationType> {
  pending: Pending<T>[];
  running: number;
  lingerExpired: boolean;
  timer: NodeJS.Timeout | undefined;
}

export interface DeliveryBatcherOptions<T extends DestinationType> {
  readonly sink: BatchSink<T>;
  readonly attemptTimeoutMs: number;
  /** Aborted at shutdown: calls in flight are cut short. */
  readonly shutdown: AbortSignal;
  /**
   * The instance's places for leads in an attempt: a lead takes one when its call starts, not while it gathers (a
   * lead waiting for its offer's next batch holds no place another offer's call could use).
   */
  readonly places?: InFlightLimit;
  readonly onBatch?: (size: number) => void;
}

/**
 * Gathers ready leads of one offer and configuration version (the key) for a batch sink. A batch leaves when it
 * reaches the sink's `maxSize`, or once `lingerMs` passed since its first lead — but only while the key has fewer
 * than `maxConcurrentCalls` calls running: while its calls are busy (a slow CRM, a paced one), newcomers keep
 * gathering and leave in the next, bigger batch instead of queueing as many small ones. Each lead settles by its own
 * outcome, so one bad record fails only itself; a throw of the whole call fails every lead of the batch with it.
 */
export class DeliveryBatcher<T extends DestinationType> {
  private readonly queues = new Map<string, Queue<T>>();
  private readonly maxCalls: number;

  constructor(private readonly o: DeliveryBatcherOptions<T>) {
    this.maxCalls = Math.max(1, o.sink.batch.maxConcurrentCalls ?? 2);
  }

  submit(
    key: string,
    lead: Lead,
    destination: DestinationOf<T>,
    attempt: number,
    gone?: AbortSignal,
  ): Promise<DeliveryResult> {
    return new Promise<DeliveryResult>((resolve, reject) => {
      let q = this.queues.get(key);
      if (!q) this.queues.set(key, (q = { pending: [], running: 0, lingerExpired: false, timer: undefined }));
      q.pending.push({ lead, destination, attempt, gone, context: context.active(), resolve, reject });
      if (q.timer === undefined && !q.lingerExpired) {
        const queue = q;
        queue.timer = setTimeout(() => {
          queue.timer = undefined;
          queue.lingerExpired = true;
          this.pump(key, queue);
        }, this.o.sink.batch.lingerMs);
      }
      this.pump(key, q);
    });
  }

  private pump(key: string, q: Queue<T>): void {
    const { maxSize } = this.o.sink.batch;
    while (q.running < this.maxCalls && (q.pending.length >= maxSize || (q.lingerExpired && q.pending.length > 0))) {
      const batch = q.pending.splice(0, maxSize);
      if (q.pending.length === 0) {
        q.lingerExpired = false;
        if (q.timer) clearTimeout(q.timer);
        q.timer = undefined;
      }
      q.running++;
      void this.placed(key, q, batch).finally(() => {
        q.running--;
        this.pump(key, q);
      });
    }
    if (q.running === 0 && q.pending.length === 0 && q.timer === undefined) this.queues.delete(key);
  }

  /**
   * Calls with as many of `batch` as there are free places (waiting for one if none is), the rest going back to the
   * front of the queue. A call never waits while holding places, so calls of different offers cannot hold each
   * other's last places.
   */
  private async placed(key: string, q: Queue<T>, batch: Pending<T>[]): Promise<void> {
    const places = this.o.places;
    if (!places) return this.call(batch);
    let taken = places.tryAcquire(batch.length);
    if (taken === 0) {
      await places.acquire();
      taken = 1 + places.tryAcquire(batch.length - 1);
    }
    if (taken < batch.length) {
      // Back to the front, ready to leave (their linger is over) in the key's next call.
      q.pending.unshift(...batch.splice(taken));
      q.lingerExpired = true;
      queueMicrotask(() => this.pump(key, q));
    }
    try {
      await this.call(batch);
    } finally {
      for (let i = 0; i < taken; i++) places.release();
    }
  }

  private async call(gathered: readonly Pending<T>[]): Promise<void> {
    // A lead whose partition moved while it waited for company is not sent: its new owner sends it.
    const batch = gathered.filter((p) => {
      if (p.gone?.aborted) p.reject(p.gone.reason);
      return !p.gone?.aborted;
    });
    const first = batch[0];
    if (!first) return;
    this.o.onBatch?.(batch.length);
    // Every lead of a batch carries the same offer version, so one destination serves the whole call. Its leads share
    // a partition (one offer, one key) unless the partition count or the route key changed under them.
    const leases = [...new Set(batch.map((p) => p.gone).filter((g): g is AbortSignal => g !== undefined))];
    const { signal, end } = attemptSignal(this.o.attemptTimeoutMs, [this.o.shutdown, ...leases]);
    // One call carries many leads: its span (and the CRM client spans inside it) is a child of the first lead's process
    // span and links every other lead's, so each lead's trace leads to the call that delivered it. (The first lead is
    // not linked as well: Jaeger would show the parent as a mere FOLLOWS_FROM reference.)
    const links = batch
      .slice(1)
      .map((p) => linkTo(p.context, { 'leadflow.lead.id': p.lead.leadId }))
      .filter((l): l is Link => l !== undefined);
    const span = tracer().startSpan(
      `deliver ${this.o.sink.type} batch`,
      { links, attributes: { 'leadflow.destination.type': this.o.sink.type, 'leadflow.batch.size': batch.length } },
      first.context,
    );
    try {
      const outcomes = await boundedBy(
        signal,
        context.with(trace.setSpan(first.context, span), () =>
          this.o.sink.deliverBatch(
            batch.map((p) => p.lead),
            first.destination,
            { signal, attempts: batch.map((p) => p.attempt) },
          ),
        ),
      );
      if (outcomes.length !== batch.length) {
        throw new Error(`${this.o.sink.type} sink returned ${outcomes.length} outcomes for ${batch.length} leads`);
      }
      span.setAttribute('leadflow.batch.failed', outcomes.filter((o) => !o.ok).length);
      endSpan(span);
      batch.forEach((p, i) => {
        const outcome = outcomes[i];
        if (outcome?.ok) p.resolve(outcome);
        else p.reject(outcome?.error);
      });
    } catch (err) {
      if (span.isRecording()) endSpan(span, err);
      for (const p of batch) p.reject(err);
    } finally {
      end();
    }
  }
}
