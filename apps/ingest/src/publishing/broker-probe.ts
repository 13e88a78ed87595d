import type { Admin, Kafka } from 'kafkajs';

export interface BrokerProbeOptions {
  readonly kafka: Kafka;
  /** The topic whose metadata must be readable: the ingest cannot work without it. */
  readonly topic: string;
  /** How long an answer is reused: readiness probes must not turn into a metadata storm. */
  readonly cacheMs?: number;
  readonly timeoutMs?: number;
}

/** Readiness check of the broker: a metadata request for the ingest's topic, cached briefly. */
export class BrokerProbe {
  private readonly admin: Admin;
  private connected = false;
  private last: { at: number; ok: boolean } | undefined;
  private running: Promise<boolean> | undefined;

  constructor(private readonly options: BrokerProbeOptions) {
    // No retries: a probe that fails is answered "not ready" and asked again by the orchestrator.
    this.admin = options.kafka.admin({ retry: { retries: 0 } });
  }

  async reachable(now = Date.now()): Promise<boolean> {
    if (this.last && now - this.last.at < (this.options.cacheMs ?? 2_000)) return this.last.ok;
    this.running ??= this.probe().then((ok) => {
      this.last = { at: Date.now(), ok };
      this.running = undefined;
      return ok;
    });
    return this.running;
  }

  async close(): Promise<void> {
    if (this.connected) await this.admin.disconnect().catch(() => undefined);
    this.connected = false;
  }

  private async probe(): Promise<boolean> {
    const timeoutMs = this.options.timeoutMs ?? 2_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const check = (async () => {
      if (!this.connected) {
        await this.admin.connect();
        this.connected = true;
      }
      const meta = await this.admin.fetchTopicMetadata({ topics: [this.options.topic] });
      return meta.topics.length === 1 && (meta.topics[0]?.partitions.length ?? 0) > 0;
    })().catch(() => false);
    try {
      return await Promise.race([check, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
