import {
  ERROR_CATALOG,
  Headers,
  isErrorClass,
  parseDeadLetterHeaders,
  parseLeadInput,
  type DlqStage,
} from '@leadflow/lead-model';

/** Where a record sits: also the dead letter's identity (`leadflow.replay.of`, the ledger key). */
export interface RecordPosition {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

export const positionId = (p: RecordPosition): string => `${p.topic}/${p.partition}/${p.offset}`;

/** One record of a `leads.dlq.*` topic as it was read: bytes and headers untouched. */
export interface RawDeadLetter extends RecordPosition {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, string>>;
  /** The record's timestamp (epoch ms, as a string, as Kafka clients give it). */
  readonly timestamp: string;
}

/** A dead letter: the original record plus what the dead-letter headers say about it. */
export interface DeadLetter {
  /** `<dlq topic>/<partition>/<offset>`. */
  readonly id: string;
  readonly stage: DlqStage;
  readonly record: RawDeadLetter;
  readonly leadId?: string;
  readonly offerId?: string;
  /** Error class from the headers; `UNKNOWN` when a record lacks the dead-letter header set. */
  readonly errorClass: string;
  readonly category: string;
  readonly message: string;
  readonly remediation: string;
  /** RFC 3339; the record timestamp when the header is missing. */
  readonly failedAt: string;
  readonly attempts?: number;
  readonly sink?: string;
  readonly destinationVersion?: number;
  /** Where the lead was consumed from when it failed (`topic/partition/offset`). */
  readonly original?: string;
  /** The value parsed as JSON (any of the three input shapes), or undefined when it is not JSON. */
  readonly body: unknown;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

function json(value: Buffer | null): unknown {
  if (value === null || value.length === 0) return undefined;
  try {
    return JSON.parse(value.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** The offer of a dead-lettered value in any input shape; the record key (offerId by contract) otherwise. */
function offerOf(body: unknown, key: Buffer | null): string | undefined {
  if (isObj(body)) {
    const direct = str(body['offerId']);
    if (direct) return direct;
    const parsed = parseLeadInput(body, { now: new Date(0), newLeadId: () => 'x' });
    if (parsed.ok) return parsed.lead.offerId;
  }
  return key && key.length > 0 ? key.toString('utf8') : undefined;
}

function leadIdOf(body: unknown, headers: Readonly<Record<string, string>>): string | undefined {
  const ce = str(headers[Headers.ceId]);
  if (ce) return ce;
  if (!isObj(body)) return undefined;
  return str(body['leadId']) ?? str(body['LeadId']) ?? str(body['lead_id']);
}

function int(v: string | undefined): number | undefined {
  if (v === undefined || !/^\d+$/.test(v)) return undefined;
  return Number(v);
}

/**
 * Reads a dead-letter record. Never throws: a record written around the contract (headers missing) is
 * still listed, as class `UNKNOWN`, so that nothing on a dead-letter topic is invisible to an analyst.
 */
export function decodeDeadLetter(stage: DlqStage, record: RawDeadLetter): DeadLetter {
  const h = record.headers;
  const body = json(record.value);
  const info = parseDeadLetterHeaders(h);
  const errorClass = info.ok ? info.value.errorClass : (str(h[Headers.errorClass]) ?? 'UNKNOWN');
  const catalog = isErrorClass(errorClass) ? ERROR_CATALOG[errorClass] : undefined;
  const failedAt =
    str(h[Headers.failedAt]) ?? new Date(Number(record.timestamp) || 0).toISOString().replace('.000Z', 'Z');
  const originalTopic = str(h[Headers.originalTopic]);
  const leadId = leadIdOf(body, h);
  const offerId = offerOf(body, record.key);
  const attempts = int(h[Headers.attempts]);
  const sink = str(h[Headers.sink]);
  const version = int(h[Headers.destinationVersion]);
  return {
    id: positionId(record),
    stage,
    record,
    ...(leadId !== undefined ? { leadId } : {}),
    ...(offerId !== undefined ? { offerId } : {}),
    errorClass,
    category: str(h[Headers.errorCategory]) ?? catalog?.category ?? 'unknown',
    message: h[Headers.errorMessage] ?? '',
    // The catalog's text is the product's current advice; the header is what was said when it failed.
    remediation: catalog?.remediation ?? h[Headers.errorRemediation] ?? '',
    failedAt,
    ...(attempts !== undefined ? { attempts } : {}),
    ...(sink !== undefined ? { sink } : {}),
    ...(version !== undefined ? { destinationVersion: version } : {}),
    ...(originalTopic !== undefined
      ? {
          original: `${originalTopic}/${h[Headers.originalPartition] ?? '?'}/${h[Headers.originalOffset] ?? '?'}`,
        }
      : {}),
    body,
  };
}
