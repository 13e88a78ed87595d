import { QUOTA_WAIT_KEY_PATTERN, QuotaWaitRecordSchema, type QuotaWaitRecord } from '@leadflow/lead-model';

/** Leads of an offer a sink holds for a quota, as the offer page shows them. */
export interface QuotaWaitView {
  readonly destination: string;
  readonly leads: number;
  /** When the last of them will be sent (the quota resets). */
  readonly until: string;
  readonly errorClass: string;
  readonly updatedAt: string;
}

/**
 * The sinks' `offers.quota-waits` (compacted, key `<offerId>|<quota account>`) as the console holds it: the latest
 * record per key, a tombstone removing it. Its size is offers × quota accounts, whatever the number of leads. A
 * record whose `until` has passed is kept (a newer one or a tombstone replaces it) but never shown: its sink stopped
 * before it could say the leads went.
 */
export class OfferQuotaWaits {
  private readonly byOffer = new Map<string, Map<string, QuotaWaitRecord>>();

  /**
   * Applies one record of the topic; returns the offer it changed, or undefined for a record that is not one (a
   * key without an offer, a value the schema refuses, a record whose offer is not its key's: skipped, not fatal).
   */
  applyRecord(key: Buffer | null, value: Buffer | null): string | undefined {
    const k = key?.toString('utf8');
    if (!k || !QUOTA_WAIT_KEY_PATTERN.test(k)) return undefined;
    const offerId = k.slice(0, k.indexOf('|'));
    if (value === null || value.length === 0) {
      const of = this.byOffer.get(offerId);
      if (!of?.delete(k)) return undefined;
      if (of.size === 0) this.byOffer.delete(offerId);
      return offerId;
    }
    const record = decode(value);
    if (!record || record.offerId !== offerId) return undefined;
    let of = this.byOffer.get(offerId);
    if (!of) this.byOffer.set(offerId, (of = new Map()));
    of.set(k, record);
    return offerId;
  }

  /** The offer's waits not yet over at `nowMs`, the one ending first first. */
  of(offerId: string, nowMs: number): QuotaWaitView[] {
    return [...(this.byOffer.get(offerId)?.values() ?? [])]
      .filter((w) => Date.parse(w.until) > nowMs)
      .sort((a, b) => Date.parse(a.until) - Date.parse(b.until) || a.destination.localeCompare(b.destination))
      .map((w) => ({
        destination: w.destination,
        leads: w.leads,
        until: w.until,
        errorClass: w.errorClass,
        updatedAt: w.updatedAt,
      }));
  }
}

function decode(value: Buffer): QuotaWaitRecord | undefined {
  try {
    const parsed = QuotaWaitRecordSchema.safeParse(JSON.parse(value.toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
