/**
 * kafkajs matches a subscription pattern against the topics that exist when the consumer subscribes: an offer's own
 * route topic (`leads.route.<type>.<suffix>`), created by the router at the offer's first lead, would be read only
 * after a restart. The watcher lists the topics every `intervalMs` and reports the matching set when it changes.
 */
export interface TopicWatcherOptions {
  readonly pattern: RegExp;
  readonly list: () => Promise<readonly string[]>;
  readonly intervalMs: number;
  readonly onChange: (topics: readonly string[]) => Promise<void>;
  readonly onError?: (err: unknown) => void;
}

export function matching(pattern: RegExp, topics: readonly string[]): string[] {
  return topics.filter((t) => pattern.test(t)).sort();
}

export class TopicWatcher {
  private current: readonly string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly o: TopicWatcherOptions) {}

  /** The matching topics now; becomes the baseline later changes are measured against. */
  async initial(): Promise<readonly string[]> {
    this.current = matching(this.o.pattern, await this.o.list());
    return this.current;
  }

  start(): void {
    this.timer = setInterval(() => {
      this.running ??= this.check().finally(() => (this.running = undefined));
    }, this.o.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** One look at the topics (exposed for tests); calls onChange when the matching set differs. */
  async check(): Promise<void> {
    try {
      const now = matching(this.o.pattern, await this.o.list());
      if (now.length === this.current.length && now.every((t, i) => t === this.current[i])) return;
      await this.o.onChange(now);
      this.current = now;
    } catch (err) {
      this.o.onError?.(err);
    }
  }
}
