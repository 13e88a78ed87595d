/**
 * Coalesces concurrent submissions into few flushes.
 *
 * kafkajs turns every `send()` into its own produce request, and its idempotent producer serialises
 * requests per broker anyway, so one request per HTTP call caps throughput at one round trip per lead.
 * Here single items wait at most `lingerMs` (or until `maxBatch` are pending) and leave together in ONE
 * flush; while a flush is in flight, newcomers keep accumulating and leave in the next one (at most
 * `maxInFlight` flushes at a time). Each submitter is settled by its own flush: resolved once that
 * flush succeeded, rejected with its error if it failed. Nothing here knows about Kafka.
 */
export interface CoalescerOptions<T> {
  /** Sends one group of items; resolves once all of them are durable. */
  readonly flush: (items: readonly T[]) => Promise<void>;
  /** How long a single item may wait for company. */
  readonly lingerMs: number;
  /** Most single items in one flush (a `submitAll` group is never split). */
  readonly maxBatch: number;
  /** Concurrent flushes; 1 keeps an idempotent producer's requests strictly ordered. */
  readonly maxInFlight?: number;
  /** Called after every flush, for metrics. */
  readonly onFlush?: (size: number, ms: number, ok: boolean) => void;
}

interface Waiter {
  resolve(): void;
  reject(err: unknown): void;
}

interface Unit<T> {
  readonly items: T[];
  readonly waiters: Waiter[];
}

/** Thrown to submitters once `close()` was called. */
export class CoalescerClosedError extends Error {
  constructor() {
    super('the publisher is shutting down');
    this.name = 'CoalescerClosedError';
  }
}

export class Coalescer<T> {
  private readonly maxInFlight: number;
  /** Single items waiting for their flush. */
  private pending: Unit<T> = { items: [], waiters: [] };
  /** Groups ready to leave, in submission order. */
  private readonly ready: Unit<T>[] = [];
  private lingerTimer: NodeJS.Timeout | undefined;
  private lingerExpired = false;
  private inFlight = 0;
  private inFlightItems = 0;
  private closed = false;
  private idle: (() => void)[] = [];

  constructor(private readonly options: CoalescerOptions<T>) {
    if (options.maxBatch < 1) throw new RangeError('maxBatch must be at least 1');
    this.maxInFlight = Math.max(1, options.maxInFlight ?? 1);
  }

  /** Resolves once the flush that carried `item` succeeded. */
  submit(item: T): Promise<void> {
    if (this.closed) return Promise.reject(new CoalescerClosedError());
    return new Promise<void>((resolve, reject) => {
      this.pending.items.push(item);
      this.pending.waiters.push({ resolve, reject });
      if (this.pending.items.length >= this.options.maxBatch) {
        this.ready.push(this.takePending());
      } else if (this.lingerTimer === undefined && !this.lingerExpired) {
        this.lingerTimer = setTimeout(() => {
          this.lingerTimer = undefined;
          this.lingerExpired = true;
          this.pump();
        }, this.options.lingerMs);
      }
      this.pump();
    });
  }

  /** Sends `items` as one flush of their own (a batch request is one produce call). */
  submitAll(items: readonly T[]): Promise<void> {
    if (this.closed) return Promise.reject(new CoalescerClosedError());
    if (items.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.ready.push({ items: [...items], waiters: [{ resolve, reject }] });
      this.pump();
    });
  }

  /** Items accepted but not yet flushed or acknowledged. */
  get backlog(): number {
    return this.pending.items.length + this.ready.reduce((n, u) => n + u.items.length, 0) + this.inFlightItems;
  }

  /** Refuses new items, flushes what is pending at once and resolves when every flush has settled. */
  async close(): Promise<void> {
    this.closed = true;
    this.lingerExpired = true;
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    this.lingerTimer = undefined;
    this.pump();
    if (this.isIdle()) return;
    await new Promise<void>((resolve) => this.idle.push(resolve));
  }

  private isIdle(): boolean {
    return this.inFlight === 0 && this.ready.length === 0 && this.pending.items.length === 0;
  }

  private takePending(): Unit<T> {
    const unit = this.pending;
    this.pending = { items: [], waiters: [] };
    this.lingerExpired = false;
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    this.lingerTimer = undefined;
    return unit;
  }

  private pump(): void {
    while (this.inFlight < this.maxInFlight) {
      let unit = this.ready.shift();
      // Pending singles leave once their linger is over; while a flush is in flight they keep
      // gathering company, so a slow broker yields bigger batches instead of a queue of small ones.
      if (!unit && this.pending.items.length > 0 && this.lingerExpired) unit = this.takePending();
      if (!unit) break;
      this.run(unit);
    }
    if (this.isIdle()) {
      const waiting = this.idle;
      this.idle = [];
      for (const resolve of waiting) resolve();
    }
  }

  private run(unit: Unit<T>): void {
    this.inFlight += 1;
    this.inFlightItems += unit.items.length;
    const started = Date.now();
    let flushed: Promise<void>;
    try {
      flushed = this.options.flush(unit.items);
    } catch (err) {
      flushed = Promise.reject(err);
    }
    flushed.then(
      () => this.settle(unit, started, true, undefined),
      (err: unknown) => this.settle(unit, started, false, err),
    );
  }

  private settle(unit: Unit<T>, started: number, ok: boolean, err: unknown): void {
    this.inFlight -= 1;
    this.inFlightItems -= unit.items.length;
    this.options.onFlush?.(unit.items.length, Date.now() - started, ok);
    for (const waiter of unit.waiters) {
      if (ok) waiter.resolve();
      else waiter.reject(err);
    }
    this.pump();
  }
}
