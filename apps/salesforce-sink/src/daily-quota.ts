/** 00:00 UTC of the day after `ms` (epoch ms). */
export function nextUtcMidnight(ms: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
}

export type QuotaTake = { readonly ok: true } | { readonly ok: false; readonly waitUntil: number };

/**
 * A count per key (the Web-to-Lead org id) that starts again at 00:00 UTC. Salesforce accepts 500 Web-to-Lead
 * requests a day per org and queues the rest ("Web-to-Lead Limits", Salesforce Help); leads past the limit are
 * held back here instead, until the next day. The count is this process's own: instances do not share it.
 */
export class DailyQuota {
  private day = -1;
  private readonly used = new Map<string, number>();

  constructor(
    readonly limit: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes one of today's requests for `key`, or says until when none is left. */
  take(key: string): QuotaTake {
    const now = this.roll();
    const used = this.used.get(key) ?? 0;
    if (used >= this.limit) return { ok: false, waitUntil: nextUtcMidnight(now) };
    this.used.set(key, used + 1);
    return { ok: true };
  }

  /** Returns a request that did not reach Salesforce (no answer, or an HTTP error). */
  giveBack(key: string): void {
    this.roll();
    const used = this.used.get(key) ?? 0;
    if (used > 0) this.used.set(key, used - 1);
  }

  usedToday(key: string): number {
    this.roll();
    return this.used.get(key) ?? 0;
  }

  /** Forgets yesterday's counts; returns the current time. */
  private roll(): number {
    const now = this.now();
    const day = Math.floor(now / 86_400_000);
    if (day !== this.day) {
      this.day = day;
      this.used.clear();
    }
    return now;
  }
}
