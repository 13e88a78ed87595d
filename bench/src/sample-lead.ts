import { randomUUID } from 'node:crypto';
import { leadCloudEventHeaders, type Lead } from '@leadflow/lead-model';

/** A realistic canonical lead (~400 bytes of JSON), different id each call. */
export function sampleLead(offerId = 'contoso.bench-offer', i = 0): Lead {
  return {
    leadId: randomUUID(),
    offerId,
    source: 'AzureMarketplace',
    action: 'INS',
    offerTitle: 'Contoso Bench Offer',
    customer: {
      firstName: `Bench${i}`,
      lastName: 'Customer',
      email: `bench${i}@contoso.example`,
      phone: '16175555555',
      country: 'US',
      company: 'Contoso',
      title: 'Buyer',
    },
    description: 'Benchmark lead',
    occurredAt: new Date().toISOString(),
    isTest: false,
    piiSuppressed: false,
  };
}

export function leadMessage(lead: Lead): { key: string; value: string; headers: Record<string, string> } {
  return {
    key: lead.offerId,
    value: JSON.stringify(lead),
    headers: leadCloudEventHeaders(lead, { source: '/leadflow/bench' }),
  };
}
