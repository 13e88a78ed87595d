import { TableClient, TableServiceClient, type TableEntity, type TransactionAction } from '@azure/data-tables';
import {
  DESTINATION_DEFAULTS,
  formatLeadSource,
  isLeadflowError,
  leadflowError,
  marketplaceUserDetails,
  parseTableConnectionString,
  type Lead,
  type LeadflowError,
} from '@leadflow/lead-model';
import {
  BoundedCache,
  errorSummary,
  TRANSIENT_NETWORK_CODES,
  type BatchSink,
  type DeliveryOutcome,
} from '@leadflow/sink-runtime';

/** Table storage forbids / \ # ? and control characters in keys (and caps them at 1 KiB). */
export function sanitizeKey(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[/\\#?\u0000-\u001f\u007f-\u009f]/g, '_').slice(0, 512);
}

/**
 * The marketplace's table layout (`MarketplaceLeads`): CustomerInfo as a JSON string, LeadSource as
 * `Source-Action|Offer`, ProductId = offerId. PartitionKey is the offer, so one publisher's leads share a
 * partition; RowKey is the lead id, so a replayed lead is an idempotent upsert.
 */
export function toEntity(lead: Lead): TableEntity<Record<string, string>> {
  return {
    partitionKey: sanitizeKey(lead.offerId),
    rowKey: sanitizeKey(lead.leadId),
    CustomerInfo: JSON.stringify(marketplaceUserDetails(lead.customer)),
    LeadSource: formatLeadSource({ source: lead.source, action: lead.action, offer: lead.offerId }),
    ActionCode: lead.action,
    Description: lead.description ?? '',
    OfferTitle: lead.offerTitle ?? '',
    ProductId: lead.offerId,
    CreatedTime: lead.occurredAt,
  };
}

interface StatusError {
  statusCode?: number;
  code?: string;
  name?: string;
}

const AUTH_CODES = new Set(['AuthorizationFailure', 'AuthenticationFailed']);
const TOO_LARGE = new Set(['EntityTooLarge', 'PropertyValueTooLarge', 'RequestBodyTooLarge']);
/** Azure Table's own answers that pass (besides the network's: TRANSIENT_NETWORK_CODES). */
const TABLE_TRANSIENT_CODES = new Set(['ServerBusy', 'InternalError', 'OperationTimedOut']);

/** Azure Table's answers (Azurite 3.37 and Azure both), mapped to the error catalog. */
export function classifyTable(err: unknown): LeadflowError {
  if (isLeadflowError(err)) return err;
  const e = (err ?? {}) as StatusError;
  const what = errorSummary(err);
  if (e.statusCode === 403 || (e.code && AUTH_CODES.has(e.code))) return leadflowError('TABLE.AUTH_FAILED', what);
  if (e.code === 'ENOTFOUND') return leadflowError('TABLE.ACCOUNT_UNREACHABLE', what);
  if ((e.code && TOO_LARGE.has(e.code)) || e.statusCode === 413) return leadflowError('TABLE.ENTITY_TOO_LARGE', what);
  if (
    (e.code && (TABLE_TRANSIENT_CODES.has(e.code) || TRANSIENT_NETWORK_CODES.has(e.code))) ||
    (e.statusCode ?? 0) >= 500 ||
    e.statusCode === 408 ||
    e.statusCode === 429 ||
    e.name === 'AbortError' ||
    e.name === 'TimeoutError'
  ) {
    return leadflowError('TABLE.SERVICE_UNAVAILABLE', what);
  }
  return leadflowError('INTERNAL.UNEXPECTED', what, { cause: err });
}

/**
 * Table clients per connection string and table, once the table is known to exist. Bounded: a sink that sees many
 * offers and rotated keys over months keeps the most recently used ones only.
 */
class Tables {
  private readonly clients = new BoundedCache<Promise<TableClient>>({ maxEntries: 1_000, maxAgeMs: 3_600_000 });

  get(connectionString: string, table: string, signal: AbortSignal): Promise<TableClient> {
    const key = `${connectionString}\u0000${table}`;
    let client = this.clients.get(key);
    if (!client) {
      client = this.open(connectionString, table, signal);
      this.clients.set(key, client);
      // A failed open (bad key, unknown host) is not cached: a fixed configuration must be tried afresh.
      client.catch(() => this.clients.delete(key));
    }
    return client;
  }

  private async open(connectionString: string, table: string, signal: AbortSignal): Promise<TableClient> {
    const conn = parseTableConnectionString(connectionString);
    if (!conn.ok) throw leadflowError('TABLE.INVALID_CONNECTION_STRING', conn.issues.map((i) => i.message).join('; '));
    // Retries are the runtime's (classified, budgeted, off the consume path), not the SDK's.
    const options = {
      allowInsecureConnection: conn.value.tableEndpoint.startsWith('http:'),
      retryOptions: { maxRetries: 0 },
    };
    const service = TableServiceClient.fromConnectionString(connectionString, options);
    try {
      await service.createTable(table, { abortSignal: signal });
    } catch (err) {
      // Only TableAlreadyExists means the table is there; another 409 (e.g. TableBeingDeleted) is an error.
      if ((err as StatusError).code !== 'TableAlreadyExists') throw err;
    }
    return TableClient.fromConnectionString(connectionString, table, options);
  }
}

/** Table storage allows at most 100 operations in one entity-group transaction, all of one partition key. */
const MAX_TRANSACTION = 100;

/**
 * Upserts one offer's ready leads (one partition key) as one entity-group transaction: one round trip instead of
 * one per lead. If the transaction fails, its entities are written one by one, so a bad entity fails alone and is
 * classified on its own.
 */
async function upsertAll(
  client: TableClient,
  entities: readonly TableEntity<Record<string, string>>[],
  signal: AbortSignal,
): Promise<DeliveryOutcome[]> {
  // Two deliveries of the same lead in one transaction would be refused: the last one per row is written.
  const rows = [...new Map(entities.map((e) => [e.rowKey, e])).values()];
  if (rows.length > 1) {
    try {
      const actions: TransactionAction[] = rows.map((e) => ['upsert', e, 'Replace']);
      await client.submitTransaction(actions, { abortSignal: signal });
      return entities.map(() => ({ ok: true }));
    } catch {
      // Fall through: find out which entity (if any) is at fault, one by one.
    }
  }
  return Promise.all(
    entities.map((e) =>
      client.upsertEntity(e, 'Replace', { abortSignal: signal }).then(
        (): DeliveryOutcome => ({ ok: true }),
        (error: unknown): DeliveryOutcome => ({ ok: false, error }),
      ),
    ),
  );
}

export function tableSink(): BatchSink<'azure-table'> {
  const tables = new Tables();
  return {
    type: 'azure-table',
    classify: classifyTable,
    batch: { maxSize: MAX_TRANSACTION, lingerMs: 5 },
    async deliverBatch(leads, destination, ctx) {
      const table = destination.tableName ?? DESTINATION_DEFAULTS.tableName;
      const client = await tables.get(destination.connectionString, table, ctx.signal);
      const entities = leads.map(toEntity);
      const outcomes = await upsertAll(client, entities, ctx.signal);
      return outcomes.map((o, i) =>
        o.ok ? { ok: true, externalId: `${table}/${entities[i]?.partitionKey}/${entities[i]?.rowKey}` } : o,
      );
    },
  };
}
