/**
 * Upserts of one person one after another. Marketo: "Concurrent or closely timed upsert requests can create
 * duplicate records when multiple requests use the same key value before the first request returns ... queue calls
 * and wait for each call to return before submitting another upsert with the same key" ("Leads", Sync Leads).
 * A duplicate would later fail that person's every lead with 1007 (multiple leads match).
 */
export class EmailQueue {
  private readonly tails = new Map<string, Promise<void>>();

  /** Runs `fn` once every earlier run sharing one of `keys` has finished; runs sharing none go at once. */
  async run<T>(keys: readonly string[], fn: () => Promise<T>): Promise<T> {
    const unique = [...new Set(keys)];
    const before = unique.flatMap((k) => {
      const tail = this.tails.get(k);
      return tail ? [tail] : [];
    });
    let done: () => void = () => undefined;
    const mine = new Promise<void>((resolve) => (done = resolve));
    // Registered synchronously: a later run waits for this one, this one only for earlier ones (no cycle).
    for (const k of unique) this.tails.set(k, mine);
    try {
      await Promise.all(before);
      return await fn();
    } finally {
      done();
      for (const k of unique) if (this.tails.get(k) === mine) this.tails.delete(k);
    }
  }
}

/** The key of a person in one Marketo instance. */
export const personKey = (munchkinId: string, email: string): string =>
  `${munchkinId.toUpperCase()}|${email.trim().toLowerCase()}`;
