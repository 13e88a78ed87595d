import { Headers, leadCloudEventHeaders, type Lead } from '@leadflow/lead-model';
import type { LeadMessage } from '../publishing/lead-publisher';

export const INGEST_SOURCE = '/leadflow/ingest';

/** The record of a lead on `leads.ingested`: key offerId, canonical JSON, CloudEvents binary headers. */
export function leadMessage(lead: Lead, traceparent: string | undefined): LeadMessage {
  return {
    key: lead.offerId,
    value: JSON.stringify(lead),
    headers: {
      ...leadCloudEventHeaders(lead, { source: INGEST_SOURCE, ...(traceparent ? { traceparent } : {}) }),
      // The start of the lead's delivery latency (the sinks observe it at the receipt).
      [Headers.acceptedAt]: new Date().toISOString(),
    },
  };
}
