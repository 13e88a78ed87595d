import { Headers, leadCloudEventHeaders, type Lead } from '@leadflow/lead-model';
import type { LeadMessage } from '../publishing/lead-publisher';

export const INGEST_SOURCE = '/leadflow/ingest';

/**
 * The record of a lead on `leads.ingested`: key offerId, canonical JSON, CloudEvents binary headers. `acceptedAt`
 * (RFC 3339) is when ingest accepted it: the start of its delivery latency, which the sinks observe at the receipt;
 * the leads of one batch request share it.
 */
export function leadMessage(
  lead: Lead,
  traceparent: string | undefined,
  acceptedAt: string = new Date().toISOString(),
): LeadMessage {
  const headers = leadCloudEventHeaders(
    lead,
    traceparent ? { source: INGEST_SOURCE, traceparent } : { source: INGEST_SOURCE },
  );
  headers[Headers.acceptedAt] = acceptedAt;
  return { key: lead.offerId, value: JSON.stringify(lead), headers };
}
