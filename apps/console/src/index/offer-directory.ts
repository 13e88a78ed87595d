import { maskDestination, type OfferDestinationRecord } from '@leadflow/lead-model';

export interface OfferVersion {
  readonly version: number;
  readonly updatedAt: string;
  /** Null for a removal (tombstone). */
  readonly type: string | null;
}

/** Versions remembered per offer; older ones are forgotten (and compaction removes them from the topic anyway). */
const MAX_VERSIONS = 50;

/**
 * Each offer's destination as the console shows it, fed by the offer table's changes (catch-up included, so the
 * versions still on the compacted topic are listed). Secrets stay sealed and are masked before anything leaves:
 * the console holds no key and sends no secret, sealed or not, to a browser.
 */
export class OfferDirectory {
  private readonly current = new Map<string, OfferDestinationRecord>();
  private readonly versions = new Map<string, OfferVersion[]>();

  apply(offerId: string, record: OfferDestinationRecord | undefined): void {
    let list = this.versions.get(offerId);
    if (!list) {
      list = [];
      this.versions.set(offerId, list);
    }
    if (record) {
      this.current.set(offerId, record);
      list.push({ version: record.version, updatedAt: record.updatedAt, type: record.destination.type });
    } else {
      const last = list[list.length - 1];
      this.current.delete(offerId);
      list.push({ version: last?.version ?? 0, updatedAt: new Date().toISOString(), type: null });
    }
    if (list.length > MAX_VERSIONS) list.shift();
  }

  offerIds(): string[] {
    return [...this.versions.keys()];
  }

  versionsOf(offerId: string): readonly OfferVersion[] {
    return [...(this.versions.get(offerId) ?? [])].reverse();
  }

  /** The current destination, every secret field masked (sealed values included). */
  masked(offerId: string) {
    const r = this.current.get(offerId);
    if (!r) return null;
    const { type, autoReplay, ...settings } = maskDestination(r.destination) as Record<string, unknown> & {
      type: string;
    };
    return {
      version: r.version,
      updatedAt: r.updatedAt,
      type,
      settings,
      autoReplay: autoReplay === true,
    };
  }
}
