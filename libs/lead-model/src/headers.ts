import { ERROR_CATALOG, ERROR_CATEGORIES, isErrorClass, type ErrorCategory, type ErrorClass } from './errors';
import type { Lead } from './lead';
import type { FieldIssue, Result } from './result';

/** Header names of the contract: CloudEvents binary mode, W3C trace context, and the dead-letter set. */
export const Headers = {
  ceSpecVersion: 'ce_specversion',
  ceId: 'ce_id',
  ceSource: 'ce_source',
  ceType: 'ce_type',
  ceTime: 'ce_time',
  contentType: 'content-type',
  traceparent: 'traceparent',
  /** When ingest accepted the lead (RFC 3339): the start of its delivery latency. */
  acceptedAt: 'leadflow.accepted.at',
  errorClass: 'leadflow.error.class',
  errorCategory: 'leadflow.error.category',
  errorMessage: 'leadflow.error.message',
  errorRemediation: 'leadflow.error.remediation',
  originalTopic: 'leadflow.original.topic',
  originalPartition: 'leadflow.original.partition',
  originalOffset: 'leadflow.original.offset',
  sink: 'leadflow.sink',
  attempts: 'leadflow.attempts',
  failedAt: 'leadflow.failed.at',
  destinationVersion: 'leadflow.destination.version',
  /** A replayed record: which dead letter (`<dlq topic>/<partition>/<offset>`), when, and by whom. */
  replayOf: 'leadflow.replay.of',
  replayAt: 'leadflow.replay.at',
  replayBy: 'leadflow.replay.by',
} as const;
export type HeaderName = (typeof Headers)[keyof typeof Headers];

export const LEAD_EVENT_TYPE = 'leadflow.lead.v1';

/** CloudEvents binary-mode headers of a lead record (the value is the lead's JSON). */
export function leadCloudEventHeaders(
  lead: Lead,
  opts: { source: string; traceparent?: string },
): Record<string, string> {
  const headers: Record<string, string> = {
    [Headers.ceSpecVersion]: '1.0',
    [Headers.ceId]: lead.leadId,
    [Headers.ceSource]: opts.source,
    [Headers.ceType]: LEAD_EVENT_TYPE,
    [Headers.ceTime]: lead.occurredAt,
    [Headers.contentType]: 'application/json',
  };
  // Set, not spread in: ingest builds this for every lead of a batch.
  if (opts.traceparent) headers[Headers.traceparent] = opts.traceparent;
  return headers;
}

type RawHeaderValue = Buffer | string | undefined | null;

/** Kafka header values (Buffers, strings, arrays of them) as UTF-8 strings; the first value of an array wins. */
export function readHeaders(
  raw: Record<string, RawHeaderValue | RawHeaderValue[]> | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  if (!raw) return out;
  for (const [key, value] of Object.entries(raw)) {
    const v = Array.isArray(value) ? value[0] : value;
    if (v === undefined || v === null) continue;
    out[key] = typeof v === 'string' ? v : v.toString('utf8');
  }
  return out;
}

/** Dead-letter messages are capped: a CRM error body can be large, and headers are not the place for it. */
export const MAX_ERROR_MESSAGE = 2_000;

export interface DeadLetterInput {
  readonly original: Record<string, string>;
  readonly errorClass: ErrorClass;
  readonly category: ErrorCategory;
  /** What the destination said, already scrubbed of secrets and PII by the caller. */
  readonly message: string;
  readonly originalTopic: string;
  readonly partition: number;
  readonly offset: string;
  readonly sink: string;
  readonly attempts: number;
  readonly failedAt: Date;
  readonly destinationVersion?: number | string;
}

/** The original record's headers plus the dead-letter set (docs/kafka.md; remediation from the catalog). */
export function deadLetterHeaders(i: DeadLetterInput): Record<string, string> {
  return {
    ...i.original,
    [Headers.errorClass]: i.errorClass,
    [Headers.errorCategory]: i.category,
    [Headers.errorMessage]:
      i.message.length > MAX_ERROR_MESSAGE ? `${i.message.slice(0, MAX_ERROR_MESSAGE)}…` : i.message,
    [Headers.errorRemediation]: ERROR_CATALOG[i.errorClass].remediation,
    [Headers.originalTopic]: i.originalTopic,
    [Headers.originalPartition]: String(i.partition),
    [Headers.originalOffset]: i.offset,
    [Headers.sink]: i.sink,
    [Headers.attempts]: String(i.attempts),
    [Headers.failedAt]: i.failedAt.toISOString(),
    ...(i.destinationVersion !== undefined ? { [Headers.destinationVersion]: String(i.destinationVersion) } : {}),
  };
}

export interface DeadLetterInfo {
  readonly errorClass: ErrorClass;
  readonly category: ErrorCategory;
  readonly message: string;
  readonly remediation: string;
  readonly originalTopic: string;
  readonly partition: number;
  readonly offset: string;
  readonly sink: string;
  readonly attempts: number;
  readonly failedAt: string;
  readonly destinationVersion?: string;
  /** The lead id, from the CloudEvents id header. */
  readonly leadId?: string;
}

/** Reads the dead-letter set back (leadctl, the status endpoint); a record without it is an issue list. */
export function parseDeadLetterHeaders(h: Record<string, string>): Result<DeadLetterInfo> {
  const issues: FieldIssue[] = [];
  const need = (name: string): string => {
    const v = h[name];
    if (v === undefined) issues.push({ path: name, message: 'header is missing' });
    return v ?? '';
  };
  const errorClass = need(Headers.errorClass);
  const category = need(Headers.errorCategory);
  const partition = Number(need(Headers.originalPartition));
  const attempts = Number(need(Headers.attempts));
  const info = {
    message: need(Headers.errorMessage),
    remediation: need(Headers.errorRemediation),
    originalTopic: need(Headers.originalTopic),
    offset: need(Headers.originalOffset),
    sink: need(Headers.sink),
    failedAt: need(Headers.failedAt),
  };
  if (errorClass && !isErrorClass(errorClass))
    issues.push({ path: Headers.errorClass, message: `unknown error class '${errorClass}'` });
  if (category && !(ERROR_CATEGORIES as readonly string[]).includes(category))
    issues.push({ path: Headers.errorCategory, message: `unknown category '${category}'` });
  if (!Number.isInteger(partition)) issues.push({ path: Headers.originalPartition, message: 'must be an integer' });
  if (!Number.isInteger(attempts)) issues.push({ path: Headers.attempts, message: 'must be an integer' });
  if (issues.length > 0) return { ok: false, issues };
  const version = h[Headers.destinationVersion];
  const leadId = h[Headers.ceId];
  return {
    ok: true,
    value: {
      ...info,
      errorClass: errorClass as ErrorClass,
      category: category as ErrorCategory,
      partition,
      attempts,
      ...(version !== undefined ? { destinationVersion: version } : {}),
      ...(leadId !== undefined ? { leadId } : {}),
    },
  };
}
