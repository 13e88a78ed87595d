import { Headers } from '@leadflow/lead-model';
import type { DeadLetterEvent, DeliveryEvent } from './status-index';

function object(text: string | null): Record<string, unknown> | undefined {
  if (text === null) return undefined;
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

/** A `leads.delivered` receipt; undefined for a record that is not one (it is skipped, not fatal). */
export function decodeReceipt(value: string | null): DeliveryEvent | undefined {
  const r = object(value);
  const leadId = str(r?.['leadId']);
  const offerId = str(r?.['offerId']);
  const deliveredAt = str(r?.['deliveredAt']);
  if (!r || !leadId || !offerId || !deliveredAt) return undefined;
  const externalId = str(r['externalId']);
  return {
    leadId,
    offerId,
    destination: str(r['destination']) ?? 'unknown',
    ...(externalId ? { externalId } : {}),
    attempts: typeof r['attempts'] === 'number' ? r['attempts'] : 1,
    deliveredAt,
    isTest: r['isTest'] === true,
  };
}

/**
 * A dead-letter record: the value is the original lead (byte for byte, possibly malformed), the
 * headers say why it failed. The lead id comes from the value, or from `ce_id` when the value is not
 * a lead; the offer from the value or the record key.
 */
export function decodeDeadLetter(
  stage: string,
  key: string | null,
  value: string | null,
  headers: Readonly<Record<string, string>>,
): DeadLetterEvent | undefined {
  const lead = object(value);
  const leadId = str(lead?.['leadId']) ?? str(headers[Headers.ceId]);
  const offerId = str(lead?.['offerId']) ?? str(key);
  const errorClass = str(headers[Headers.errorClass]);
  if (!leadId || !offerId || !errorClass) return undefined;
  const remediation = str(headers[Headers.errorRemediation]);
  return {
    leadId,
    offerId,
    isTest: lead?.['isTest'] === true,
    errorClass,
    ...(remediation ? { remediation } : {}),
    failedAt: str(headers[Headers.failedAt]) ?? new Date(0).toISOString(),
    stage,
  };
}
