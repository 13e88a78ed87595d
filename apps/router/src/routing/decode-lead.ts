import { createHash } from 'node:crypto';
import type { IHeaders } from 'kafkajs';
import {
  Headers,
  leadCloudEventHeaders,
  OFFER_ID_PATTERN,
  parseLead,
  parseLeadInput,
  suppressEduPii,
  type FieldIssue,
  type Lead,
} from '@leadflow/lead-model';
import { headersToStrings } from '@leadflow/kafka';

/** A record of `leads.ingested`: the parts the decoding reads. */
export interface IngestedRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: IHeaders | undefined;
}

/** The record a routed lead is written as, when it cannot be the inbound record itself. */
export interface LeadRewrite {
  readonly value: Buffer;
  readonly headers: Record<string, string>;
}

/**
 * A record of `leads.ingested`, read as a lead or as the reason it is not one. `rewrite` is set when the
 * record is not already the canonical lead with its CloudEvents headers (a producer wrote another input
 * shape straight to Kafka, or a `.edu` customer's PII must go): the route topic then gets the canonical form.
 */
export type LeadParse =
  | { readonly ok: true; readonly lead: Lead; readonly rewrite?: LeadRewrite }
  | { readonly ok: false; readonly reason: string };

/** Longest reason kept: a record with hundreds of bad fields must not make a huge dead-letter header. */
const MAX_REASON = 500;

/** `ce_source` of CloudEvents headers the router adds to a record that came without them. */
export const ROUTER_SOURCE = '/leadflow/router';

/**
 * Namespace of lead ids the router derives for a record that names none (no lead id in the body, no
 * `ce_id`): the id is a UUIDv5 of the record's position, so reprocessing the record gives the same id.
 */
const POSITION_NAMESPACE = Buffer.from('3f1c2a9e5b7d4c8e9a1b2c3d4e5f6a7b', 'hex');

function positionLeadId(r: IngestedRecord): string {
  const b = createHash('sha1').update(POSITION_NAMESPACE).update(`${r.topic}/${r.partition}/${r.offset}`).digest();
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x50;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const h = b.subarray(0, 16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function failure(issues: readonly FieldIssue[]): LeadParse {
  const reason = `not a valid lead: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`;
  return { ok: false, reason: reason.length > MAX_REASON ? `${reason.slice(0, MAX_REASON - 1)}…` : reason };
}

/** A valid RFC 3339 `ce_time`, else undefined (the router's clock is used, as the API uses its own). */
function eventTime(ceTime: string | undefined): Date | undefined {
  if (ceTime === undefined) return undefined;
  const t = Date.parse(ceTime);
  return /^\d{4}-\d{2}-\d{2}T/.test(ceTime) && !Number.isNaN(t) ? new Date(t) : undefined;
}

const LEAD_ID_PATHS = new Set(['leadId', 'LeadId', 'lead_id']);

/**
 * Accepts on `leads.ingested` exactly what `POST /v1/leads` accepts, with the same field messages:
 * - a canonical lead as ingest writes it (with `isTest` and `piiSuppressed`) is taken as it is;
 * - anything else goes through lead-model's `parseLeadInput` (canonical, marketplace HTTPS body, legacy
 *   flat form), with `ce_id` as the lead id and `ce_time` as `occurredAt` when the body has none, and the
 *   record key as the offer when the body names none (as the URL does for `/v1/offers/{offerId}/leads`);
 * - `.edu` customers lose names, e-mail and phone before the lead reaches a route topic.
 * Reasons name fields and rules, never customer values, so they can go into logs and dead-letter headers.
 */
export function decodeLead(record: IngestedRecord, now: Date): LeadParse {
  const { value } = record;
  if (value === null || value.length === 0) return { ok: false, reason: 'the record has no value' };
  let json: unknown;
  try {
    json = JSON.parse(value.toString('utf8'));
  } catch {
    return { ok: false, reason: 'the value is not JSON' };
  }
  const headers = headersToStrings(record.headers);
  const strict = parseLead(json);
  if (strict.ok) return withRewrite(strict.value, false, headers, value);

  const ceId = headers[Headers.ceId];
  let fromCeId = false;
  const parse = (offerId?: string) =>
    parseLeadInput(json, {
      ...(offerId !== undefined ? { offerId } : {}),
      now: eventTime(headers[Headers.ceTime]) ?? now,
      newLeadId: () => {
        fromCeId = ceId !== undefined && ceId !== '';
        return fromCeId ? (ceId as string) : positionLeadId(record);
      },
    });
  let parsed = parse();
  const key = record.key?.toString('utf8');
  if (
    !parsed.ok &&
    key !== undefined &&
    OFFER_ID_PATTERN.test(key) &&
    parsed.issues.some((i) => i.path === 'offerId' && i.message.startsWith('is required'))
  ) {
    parsed = parse(key);
  }
  if (!parsed.ok) {
    return failure(parsed.issues.map((i) => (fromCeId && LEAD_ID_PATHS.has(i.path) ? { ...i, path: 'ce_id' } : i)));
  }
  return withRewrite(parsed.lead, true, headers, value);
}

function withRewrite(parsed: Lead, mapped: boolean, headers: Record<string, string>, original: Buffer): LeadParse {
  const lead = suppressEduPii(parsed);
  const valueChanged = mapped || lead !== parsed;
  const ce = leadCloudEventHeaders(lead, {
    source: headers[Headers.ceSource] ?? ROUTER_SOURCE,
    ...(headers[Headers.traceparent] ? { traceparent: headers[Headers.traceparent] } : {}),
  });
  const headersComplete =
    Object.keys(ce).every((k) => k === Headers.ceTime || headers[k] !== undefined) &&
    headers[Headers.ceId] === lead.leadId;
  if (!valueChanged && headersComplete) return { ok: true, lead };
  return {
    ok: true,
    lead,
    rewrite: { value: valueChanged ? Buffer.from(JSON.stringify(lead)) : original, headers: { ...headers, ...ce } },
  };
}
