import type { OfferDestinationRecord } from '@leadflow/lead-model';
import type { OfferTable } from '@leadflow/offer-table';
import type { OfferRecords } from './destination-store';

type Listener = (offerId: string, record: OfferDestinationRecord | undefined) => void;

/**
 * One stable view over the OfferTable across start attempts: an OfferTable starts once, so a start
 * that failed (broker down at boot) is retried on a fresh table, and listeners follow it.
 */
export class OfferTableView implements OfferRecords {
  private table: OfferTable;
  private readonly listeners = new Set<Listener>();

  constructor(private readonly create: () => OfferTable) {
    this.table = this.attach(create());
  }

  get caughtUp(): boolean {
    return this.table.caughtUp;
  }

  get(offerId: string): OfferDestinationRecord | undefined {
    return this.table.get(offerId);
  }

  onChange(listener: Listener): void {
    this.listeners.add(listener);
  }

  /** One attempt to load the table; after a failure the next attempt uses a new table. */
  async start(): Promise<void> {
    try {
      await this.table.start();
    } catch (err) {
      await this.table.stop().catch(() => undefined);
      this.table = this.attach(this.create());
      throw err;
    }
  }

  stop(): Promise<void> {
    return this.table.stop();
  }

  private attach(table: OfferTable): OfferTable {
    table.onChange((offerId, record) => this.listeners.forEach((l) => l(offerId, record)));
    return table;
  }
}
