import type { LeadflowError } from '@leadflow/lead-model';
import { BoundedCache } from './bounded-cache';

/**
 * Per offer and configuration version: once a configuration error is seen, the offer's next leads of that version
 * are dead-lettered with it without calling the destination again (a wrong secret is not fixed by retrying). A new
 * version closes it. One entry per offer at most, the number of offers bounded.
 */
export class Circuit {
  private readonly open: BoundedCache<{ version: number; error: LeadflowError; since: number }>;
  private readonly now: () => number;

  constructor(maxOffers = 10_000, now?: () => number) {
    this.now = now ?? Date.now;
    // Age only matters for memory: an open circuit stays open until the version changes, however long that takes,
    // unless the offer falls out of the bound (its next lead then calls the destination once and re-opens it).
    this.open = new BoundedCache({
      maxEntries: maxOffers,
      maxAgeMs: Number.POSITIVE_INFINITY,
      ...(now ? { now } : {}),
    });
  }

  /** The error that broke this offer's version, if it is broken. */
  brokenBy(offerId: string, version: number): LeadflowError | undefined {
    const entry = this.open.get(offerId);
    if (!entry) return undefined;
    if (entry.version !== version) {
      // The publisher changed the configuration: the old version's error no longer applies.
      if (entry.version < version) this.open.delete(offerId);
      return undefined;
    }
    return entry.error;
  }

  trip(offerId: string, version: number, error: LeadflowError): void {
    const entry = this.open.get(offerId);
    if (entry && entry.version > version) return;
    const since = entry && entry.version === version ? entry.since : this.now();
    this.open.set(offerId, { version, error, since });
  }

  /** How long the oldest open circuit has been open, in ms (0 when none is): an offer broken for long pages. */
  oldestOpenMs(): number {
    let oldest = Number.POSITIVE_INFINITY;
    for (const e of this.open.values()) oldest = Math.min(oldest, e.since);
    return Number.isFinite(oldest) ? Math.max(0, this.now() - oldest) : 0;
  }

  get size(): number {
    return this.open.size;
  }
}
