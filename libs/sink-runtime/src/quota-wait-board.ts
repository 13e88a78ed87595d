import type { Producer } from 'kafkajs';
import { quotaWaitKey, type QuotaWaitRecord } from '@leadflow/lead-model';
import type { Logger } from '@leadflow/observability';

export interface QuotaWaitBoardOptions {
  readonly producer: Pick<Producer, 'send'>;
  /** `offers.quota-waits`. */
  readonly topic: string;
  readonly type: string;
  readonly logger: Logger;
  /** How long changes of one key gather before they are published (one record for many leads starting to wait). */
  readonly coalesceMs?: number;
  /**
   * Shorter waits are not shown (default 30 s): Marketo's pacer makes leads wait a second for a slot many times a
   * minute, which is pacing, not a quota a publisher should hear of; a daily quota's wait lasts hours.
   */
  readonly minWaitMs?: number;
  readonly now?: () => Date;
}

interface Waiting {
  readonly offerId: string;
  readonly account: string;
  readonly errorClass: string;
  /** Each waiting lead's wake-up time (ms), by a token of its wait. */
  readonly until: Map<number, number>;
}

/**
 * Which leads this sink instance holds for a quota, published to `offers.quota-waits` per offer and quota account so
 * the offer status shows them (with when they will be sent), not only a metric. Publishing is best effort and off the
 * delivery path: a failed publish is logged and tried again at the next change; a wait is never delayed by it.
 */
export class QuotaWaitBoard {
  readonly #waiting = new Map<string, Waiting>();
  readonly #dirty = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #publishing: Promise<void> = Promise.resolve();
  #token = 0;

  constructor(private readonly o: QuotaWaitBoardOptions) {}

  /** A lead of `offerId` starts waiting for `account`'s quota until `untilMs`; the returned function ends its wait. */
  hold(offerId: string, account: string, untilMs: number, errorClass: string): () => void {
    const now = (this.o.now ?? (() => new Date()))().getTime();
    if (untilMs - now < (this.o.minWaitMs ?? 30_000)) return () => undefined;
    const key = quotaWaitKey(offerId, account);
    let w = this.#waiting.get(key);
    if (!w) this.#waiting.set(key, (w = { offerId, account, errorClass, until: new Map() }));
    const token = ++this.#token;
    w.until.set(token, untilMs);
    this.#changed(key);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      w.until.delete(token);
      this.#changed(key);
    };
  }

  /** Publishes what changed now (shutdown, tests). */
  async flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await (this.#publishing = this.#publishing.then(() => this.#publish()));
  }

  #changed(key: string): void {
    this.#dirty.add(key);
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      this.#publishing = this.#publishing.then(() => this.#publish());
    }, this.o.coalesceMs ?? 250);
    this.#timer.unref();
  }

  async #publish(): Promise<void> {
    if (this.#dirty.size === 0) return;
    const keys = [...this.#dirty];
    this.#dirty.clear();
    const now = (this.o.now ?? (() => new Date()))();
    const messages = keys.map((key) => {
      const w = this.#waiting.get(key);
      if (!w || w.until.size === 0) {
        this.#waiting.delete(key);
        return { key, value: null };
      }
      const record: QuotaWaitRecord = {
        offerId: w.offerId,
        account: w.account,
        destination: this.o.type,
        leads: w.until.size,
        until: new Date(Math.max(...w.until.values())).toISOString(),
        errorClass: w.errorClass,
        updatedAt: now.toISOString(),
      };
      return { key, value: JSON.stringify(record) };
    });
    try {
      await this.o.producer.send({ topic: this.o.topic, acks: -1, messages });
    } catch (err) {
      // Published again a little later; the leads wait all the same.
      for (const k of keys) this.#dirty.add(k);
      this.#timer ??= setTimeout(() => {
        this.#timer = undefined;
        this.#publishing = this.#publishing.then(() => this.#publish());
      }, 5_000);
      this.#timer.unref();
      this.o.logger.warn({ err, topic: this.o.topic, keys: keys.length }, 'quota waits not published');
    }
  }
}
