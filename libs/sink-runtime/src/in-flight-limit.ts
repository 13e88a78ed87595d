/**
 * Leads taken from Kafka and not yet settled, across all offers. Taking the next record waits while the limit is
 * reached: the consumer applies backpressure only then, and keeps its group membership while it waits.
 */
export class InFlightLimit {
  private count = 0;
  private readonly waiters: (() => void)[] = [];

  constructor(
    private readonly max: number,
    private readonly onChange: (inFlight: number) => void = () => undefined,
  ) {}

  get inFlight(): number {
    return this.count;
  }

  /**
   * Takes a slot, waiting for one to be released if need be. While waiting, `keepAlive` runs every
   * `keepAliveMs` (the consumer's heartbeat: a long wait must not cost the group its member).
   */
  async acquire(keepAlive: () => Promise<void> = async () => undefined, keepAliveMs = 1_000): Promise<void> {
    while (this.count >= this.max) {
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          const i = this.waiters.indexOf(wake);
          if (i !== -1) this.waiters.splice(i, 1);
          resolve();
        };
        const timer = setTimeout(wake, keepAliveMs);
        this.waiters.push(wake);
      });
      await keepAlive();
    }
    this.count++;
    this.onChange(this.count);
  }

  release(): void {
    this.count--;
    this.onChange(this.count);
    this.waiters.shift()?.();
  }
}
