/**
 * A counting limit: the leads a sink holds unsettled (the consumer waits to take the next record while it is
 * reached, and keeps its group membership meanwhile), or the leads in an attempt at their destinations.
 */
export class InFlightLimit {
  private count = 0;
  private readonly waiters: (() => void)[] = [];
  /** Woken once no one waits for a slot any more. */
  private readonly drained: (() => void)[] = [];

  constructor(
    private readonly max: number,
    private readonly onChange: (inFlight: number) => void = () => undefined,
  ) {}

  get inFlight(): number {
    return this.count;
  }

  /**
   * Takes a slot, waiting for one to be released if need be. While waiting, `keepAlive` (when given) runs every
   * `keepAliveMs` (the consumer's heartbeat: a long wait must not cost the group its member).
   */
  async acquire(keepAlive?: () => Promise<void>, keepAliveMs = 1_000): Promise<void> {
    while (this.count >= this.max) {
      await park(this.waiters, keepAlive ? keepAliveMs : undefined);
      await keepAlive?.();
    }
    this.count++;
    this.onChange(this.count);
  }

  /**
   * Resolves once no one waits for a slot: the consumer takes its next lead only then, as one more would only
   * queue (in memory) behind the ones already waiting. `keepAlive` runs every `keepAliveMs` meanwhile.
   */
  async untilNoneWaiting(keepAlive: () => Promise<void>, keepAliveMs = 1_000): Promise<void> {
    while (this.waiters.length > 0) {
      await park(this.drained, keepAliveMs);
      await keepAlive();
    }
  }

  /** Takes up to `n` free slots without waiting; returns how many it took. */
  tryAcquire(n: number): number {
    const taken = Math.max(0, Math.min(n, this.max - this.count));
    if (taken > 0) {
      this.count += taken;
      this.onChange(this.count);
    }
    return taken;
  }

  /** Runs `task` in a slot. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  release(): void {
    this.count--;
    this.onChange(this.count);
    this.waiters.shift()?.();
    // Each woken one takes itself out of the list: wake a copy.
    if (this.waiters.length === 0) for (const wake of [...this.drained]) wake();
  }
}

/**
 * Waits in `queue` until woken (a call of the function it pushed), or `timeoutMs` passes (then it takes itself out):
 * the caller checks its condition again either way.
 */
function park(queue: (() => void)[], timeoutMs: number | undefined): Promise<void> {
  return new Promise<void>((resolve) => {
    const wake = () => {
      if (timer) clearTimeout(timer);
      const i = queue.indexOf(wake);
      if (i !== -1) queue.splice(i, 1);
      resolve();
    };
    const timer = timeoutMs === undefined ? undefined : setTimeout(wake, timeoutMs);
    queue.push(wake);
  });
}
