/**
 * At most `max` tasks run at once per key (an offer); the key's further tasks queue without holding back other
 * keys. A key with nothing running or queued is forgotten, so the map does not grow with the offers seen.
 */
export class PerKeyLimit {
  private readonly keys = new Map<string, { running: number; queue: (() => void)[] }>();

  constructor(private readonly max: number) {}

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    let slot = this.keys.get(key);
    if (!slot) this.keys.set(key, (slot = { running: 0, queue: [] }));
    const s = slot;
    if (s.running >= this.max) await new Promise<void>((r) => s.queue.push(r));
    s.running++;
    try {
      return await task();
    } finally {
      s.running--;
      const next = s.queue.shift();
      if (next) next();
      else if (s.running === 0) this.keys.delete(key);
    }
  }

  /** Keys with work running or queued. */
  get size(): number {
    return this.keys.size;
  }
}
