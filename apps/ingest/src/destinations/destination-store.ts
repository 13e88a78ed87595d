import type { OfferDestinationRecord } from '@leadflow/lead-model';

/** The slice of `OfferTable` the store reads. */
export interface OfferRecords {
  get(offerId: string): OfferDestinationRecord | undefined;
  onChange(listener: (offerId: string, record: OfferDestinationRecord | undefined) => void): void;
}

interface LocalWrite {
  readonly version: number;
  /** undefined: removed. */
  readonly record?: OfferDestinationRecord;
}

/**
 * Offer configurations as this instance should answer about them: the compacted topic's view (the
 * OfferTable), overlaid with this instance's own writes until the table has read them back, so a GET
 * right after a PUT sees the new version and two quick PUTs get consecutive versions.
 */
export class DestinationStore {
  private readonly local = new Map<string, LocalWrite>();
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(private readonly table: OfferRecords) {
    table.onChange((offerId, record) => {
      const write = this.local.get(offerId);
      if (!write) return;
      const caughtUp = record ? record.version >= write.version : write.record === undefined;
      if (caughtUp) this.local.delete(offerId);
    });
  }

  current(offerId: string): OfferDestinationRecord | undefined {
    const fromTable = this.table.get(offerId);
    const write = this.local.get(offerId);
    if (write && write.version >= (fromTable?.version ?? 0)) return write.record;
    return fromTable;
  }

  /** The version the next PUT of `offerId` gets: one more than the highest seen or written. */
  nextVersion(offerId: string): number {
    return Math.max(this.table.get(offerId)?.version ?? 0, this.local.get(offerId)?.version ?? 0) + 1;
  }

  saved(record: OfferDestinationRecord): void {
    this.local.set(record.offerId, { version: record.version, record });
  }

  removed(offerId: string): void {
    const version = Math.max(this.table.get(offerId)?.version ?? 0, this.local.get(offerId)?.version ?? 0);
    this.local.set(offerId, { version });
  }

  /** Runs writes of one offer one after another (versions are read, then written). */
  async exclusive<T>(offerId: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(offerId) ?? Promise.resolve();
    const run = previous.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.locks.set(offerId, tail);
    try {
      return await run;
    } finally {
      if (this.locks.get(offerId) === tail) this.locks.delete(offerId);
    }
  }
}
