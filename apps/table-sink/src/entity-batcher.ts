import type { TableClient, TableEntity, TransactionAction } from '@azure/data-tables';

interface Pending {
  readonly entity: TableEntity<Record<string, string>>;
  readonly signal: AbortSignal;
  resolve(): void;
  reject(err: unknown): void;
}

/** Table storage allows at most 100 operations in one entity-group transaction. */
const MAX_BATCH = 100;

/**
 * Upserts that arrive together for the same table and partition key go out as one entity-group
 * transaction (one round trip instead of one per lead). Each caller still gets its own outcome: if the
 * transaction fails, its entities are retried one by one, so a bad entity fails alone and is classified
 * on its own.
 */
export class EntityBatcher {
  private readonly queues = new Map<string, Pending[]>();

  constructor(private readonly lingerMs = 2) {}

  upsert(client: TableClient, entity: TableEntity<Record<string, string>>, signal: AbortSignal): Promise<void> {
    const key = `${client.url}\u0000${entity.partitionKey}`;
    return new Promise<void>((resolve, reject) => {
      let queue = this.queues.get(key);
      if (!queue) {
        this.queues.set(key, (queue = []));
        setTimeout(() => void this.flush(client, key), this.lingerMs);
      }
      queue.push({ entity, signal, resolve, reject });
      if (queue.length >= MAX_BATCH) void this.flush(client, key);
    });
  }

  private async flush(client: TableClient, key: string): Promise<void> {
    const batch = this.queues.get(key);
    if (!batch || batch.length === 0) return;
    this.queues.delete(key);
    // Two deliveries of the same lead in one transaction would be refused: keep the last one per row.
    const byRow = new Map(batch.map((p) => [p.entity.rowKey, p]));
    if (byRow.size > 1) {
      try {
        const actions: TransactionAction[] = [...byRow.values()].map((p) => ['upsert', p.entity, 'Replace']);
        await client.submitTransaction(actions, { abortSignal: AbortSignal.any(batch.map((p) => p.signal)) });
        for (const p of batch) p.resolve();
        return;
      } catch {
        // Fall through: find out which entity (if any) is at fault, one by one.
      }
    }
    await Promise.all(
      batch.map((p) =>
        client.upsertEntity(p.entity, 'Replace', { abortSignal: p.signal }).then(
          () => p.resolve(),
          (err: unknown) => p.reject(err),
        ),
      ),
    );
  }
}
