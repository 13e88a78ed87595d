import type { DestinationOf, DestinationType, Lead, LeadflowError } from '@leadflow/lead-model';

export interface DeliveryContext {
  /** Aborted when the attempt's timeout passes or the sink shuts down: pass it to every I/O call. */
  readonly signal: AbortSignal;
  /** 1 for the first attempt. */
  readonly attempt: number;
}

export interface DeliveryResult {
  /** The destination's id for the record, when it returns one (receipt field). */
  readonly externalId?: string;
  /**
   * The destination accepted the lead but cannot confirm it was stored (Salesforce Web-to-Lead answers the same
   * whatever happens to the lead). The receipt says `unconfirmed`.
   */
  readonly unconfirmed?: boolean;
}

export interface BatchDeliveryContext {
  readonly signal: AbortSignal;
  /** The attempt number of each lead, in the order of `leads` (a retried lead may share a batch with new ones). */
  readonly attempts: readonly number[];
}

/** One lead's result inside a batch: delivered, or its own error (classified by the sink's `classify`). */
export type DeliveryOutcome =
  ({ readonly ok: true } & DeliveryResult) | { readonly ok: false; readonly error: unknown };

interface SinkBase<T extends DestinationType> {
  readonly type: T;
  /** Maps whatever delivery threw (or a batch outcome's error) to a class of the error catalog (table-driven). */
  classify(err: unknown): LeadflowError;
  /**
   * For a destination whose quota is counted per account within a rolling window (Marketo: 100 calls in 20 s per
   * Munchkin ID), with route records keyed by that account: how long the leads of a partition this instance newly
   * holds (at start, or when instances joined or left) wait before their first attempt. The previous owner's calls
   * to those accounts are then out of the window, so this instance's own pacing is the whole truth. Leads of
   * partitions the instance kept are not held. 0 or absent: no wait.
   */
  readonly handoverMs?: number;
}

/** A destination written one lead per call. */
export interface SingleSink<T extends DestinationType = DestinationType> extends SinkBase<T> {
  /** Delivers one lead; must be idempotent on `lead.leadId` (a crash replays). */
  deliver(lead: Lead, destination: DestinationOf<T>, ctx: DeliveryContext): Promise<DeliveryResult>;
}

/**
 * A destination that takes many records per call (Salesforce sObject Collections, Marketo, Table transactions).
 * The runtime gathers ready leads of ONE offer and destination version, at most `maxSize`, waiting at least
 * `lingerMs` for company (longer while the offer's calls are busy), and settles each lead by its own outcome: one
 * bad record fails only itself.
 * Retries, the circuit, dead letters and commits stay per lead.
 */
export interface BatchSink<T extends DestinationType = DestinationType> extends SinkBase<T> {
  readonly batch: {
    readonly maxSize: number;
    readonly lingerMs: number;
    /**
     * Calls running at once for one offer (default 2): while they are busy, its ready leads gather into the next,
     * bigger batch.
     */
    readonly maxConcurrentCalls?: number;
  };
  /** Resolves with one outcome per lead, in order; a throw fails every lead of the batch with that error. */
  deliverBatch(
    leads: readonly Lead[],
    destination: DestinationOf<T>,
    ctx: BatchDeliveryContext,
  ): Promise<readonly DeliveryOutcome[]>;
}

/**
 * What a destination contributes: a mapping (deliver or deliverBatch) and a classifier. Everything else —
 * consuming, concurrency, batching, retries, dead letters, receipts, commits — is the runtime's.
 */
export type Sink<T extends DestinationType = DestinationType> = SingleSink<T> | BatchSink<T>;

export function isBatchSink<T extends DestinationType>(sink: Sink<T>): sink is BatchSink<T> {
  return 'deliverBatch' in sink;
}
