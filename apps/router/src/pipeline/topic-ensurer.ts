import type { Admin } from 'kafkajs';
import { ensureTopics } from '@leadflow/kafka';

/**
 * Makes sure the topics the router writes to exist before a transaction writes to them. The broker does
 * not create topics on demand, and an offer may name its own route topic (`leads.route.<type>.<suffix>`)
 * at any time; creating it here keeps such a lead from failing its batch over and over.
 */
export class TopicEnsurer {
  readonly #known = new Set<string>();

  constructor(
    private readonly admin: Admin,
    private readonly partitionsFor: (topic: string) => number,
  ) {}

  async ensure(topics: Iterable<string>): Promise<void> {
    const missing = [...new Set(topics)].filter((t) => !this.#known.has(t));
    if (missing.length === 0) return;
    await ensureTopics(
      this.admin,
      missing.map((name) => ({ name, partitions: this.partitionsFor(name), compacted: false })),
    );
    for (const t of missing) this.#known.add(t);
  }

  /** Forgets what it knows: after a failed transaction a topic may have been deleted behind our back. */
  forget(): void {
    this.#known.clear();
  }
}
