import type { DestinationOf, DestinationType, Lead } from '@leadflow/lead-model';
import type { BatchSink, DeliveryResult } from './sink.port';
import type { PerKeyLimit } from './per-key-limit';

interface Pending<T extends DestinationType> {
  readonly lead: Lead;
  readonly destination: DestinationOf<T>;
  readonly attempt: number;
  resolve(result: DeliveryResult): void;
  reject(err: unknown): void;
}

export interface DeliveryBatcherOptions<T extends DestinationType> {
  readonly sink: BatchSink<T>;
  /** Calls to one offer's destination at once (the per-offer limit counts calls for a batch sink). */
  readonly calls: PerKeyLimit;
  readonly attemptTimeoutMs: number;
  /** Aborted at shutdown: calls in flight are cut short. */
  readonly shutdown: AbortSignal;
  readonly onBatch?: (size: number) => void;
}

/**
 * Gathers ready leads of one offer and configuration version (the key) for a batch sink: a batch leaves when it
 * reaches the sink's `maxSize` or `lingerMs` after its first lead. Each lead settles by its own outcome, so one bad
 * record fails only itself; a throw of the whole call fails every lead of the batch with that error.
 */
export class DeliveryBatcher<T extends DestinationType> {
  private readonly queues = new Map<string, Pending<T>[]>();
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly o: DeliveryBatcherOptions<T>) {}

  submit(key: string, lead: Lead, destination: DestinationOf<T>, attempt: number): Promise<DeliveryResult> {
    return new Promise<DeliveryResult>((resolve, reject) => {
      let queue = this.queues.get(key);
      if (!queue) this.queues.set(key, (queue = []));
      queue.push({ lead, destination, attempt, resolve, reject });
      if (queue.length >= this.o.sink.batch.maxSize) this.cut(key);
      else if (!this.timers.has(key)) {
        this.timers.set(
          key,
          setTimeout(() => this.cut(key), this.o.sink.batch.lingerMs),
        );
      }
    });
  }

  private cut(key: string): void {
    const timer = this.timers.get(key);
    if (timer) clearTimeout(timer);
    this.timers.delete(key);
    const queue = this.queues.get(key) ?? [];
    const batch = queue.splice(0, this.o.sink.batch.maxSize);
    if (queue.length === 0) this.queues.delete(key);
    else
      this.timers.set(
        key,
        setTimeout(() => this.cut(key), this.o.sink.batch.lingerMs),
      );
    if (batch.length > 0) void this.o.calls.run(key, () => this.call(batch));
  }

  private async call(batch: readonly Pending<T>[]): Promise<void> {
    const first = batch[0];
    if (!first) return;
    this.o.onBatch?.(batch.length);
    // Every lead of a batch carries the same offer version, so one destination serves the whole call.
    const signal = AbortSignal.any([AbortSignal.timeout(this.o.attemptTimeoutMs), this.o.shutdown]);
    try {
      const outcomes = await this.o.sink.deliverBatch(
        batch.map((p) => p.lead),
        first.destination,
        { signal, attempts: batch.map((p) => p.attempt) },
      );
      if (outcomes.length !== batch.length) {
        throw new Error(`${this.o.sink.type} sink returned ${outcomes.length} outcomes for ${batch.length} leads`);
      }
      batch.forEach((p, i) => {
        const outcome = outcomes[i];
        if (outcome?.ok) p.resolve(outcome);
        else p.reject(outcome?.error);
      });
    } catch (err) {
      for (const p of batch) p.reject(err);
    }
  }
}
