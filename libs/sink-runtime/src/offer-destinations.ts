import {
  leadflowError,
  type Destination,
  type DestinationOf,
  type DestinationType,
  type LeadflowError,
} from '@leadflow/lead-model';
import { openDestination, type Keyring, type OfferTable } from '@leadflow/offer-table';
import { errorSummary } from '@leadflow/retry';
import { BoundedCache } from './bounded-cache';

export interface OfferDestinationsOptions<T extends DestinationType> {
  readonly type: T;
  readonly offers: OfferTable;
  readonly keyring: Keyring;
  /** Opened destinations kept: bounded by count and age. */
  readonly cache: { readonly maxEntries: number; readonly maxAgeMs: number };
  /** Counts for metrics: hit, miss, evicted-size, evicted-age. */
  readonly count: (event: string) => void;
}

/**
 * An offer's current destination of the sink's type, with its secrets opened once per configuration version (and
 * kept in memory only). A lead whose offer has no such destination now, or whose secrets this sink cannot open,
 * gets the error to dead-letter it with.
 */
export class OfferDestinations<T extends DestinationType> {
  private readonly opened: BoundedCache<Destination>;

  constructor(private readonly o: OfferDestinationsOptions<T>) {
    this.opened = new BoundedCache({
      ...o.cache,
      onHit: () => o.count('hit'),
      onEvict: (reason) => o.count(`evicted-${reason}`),
    });
  }

  current(offerId: string): { destination: DestinationOf<T>; version: number } | LeadflowError {
    const record = this.o.offers.get(offerId);
    if (!record || record.destination.type !== this.o.type) {
      return leadflowError(
        'ROUTER.OFFER_NOT_CONFIGURED',
        `offer ${offerId} has no ${this.o.type} destination now (removed or changed since it was routed)`,
      );
    }
    try {
      const destination = this.opened.getOrLoad(`${offerId}@${record.version}`, () => {
        this.o.count('miss');
        return openDestination(record.destination, this.o.keyring, offerId);
      });
      return { destination: destination as DestinationOf<T>, version: record.version };
    } catch (err) {
      // The keyring lacks the key the secrets were sealed with: not the publisher's doing, not fixed by retrying.
      return leadflowError('INTERNAL.SECRET_KEY_UNAVAILABLE', `offer ${offerId}: ${errorSummary(err)}`);
    }
  }
}
