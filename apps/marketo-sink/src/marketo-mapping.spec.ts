import type { Lead } from '@leadflow/lead-model';
import { chunk, customerFields, jsonBytes, submitFormBody, syncLeadRecord, syncLeadsBody } from './marketo-mapping';

const lead = (overrides: Partial<Lead['customer']> = {}): Lead => ({
  leadId: 'lead-1',
  offerId: 'contoso.crm-connector',
  source: 'AppSource',
  action: 'PLT',
  offerTitle: 'CRM Connector',
  customer: { firstName: 'Kim', lastName: 'Doe', email: 'kim@contoso.example', company: 'Contoso', ...overrides },
  description: 'Wants a demo',
  occurredAt: '2026-03-10T10:00:00.000Z',
  isTest: false,
  piiSuppressed: false,
});

describe('Marketo mapping', () => {
  it('writes a Sync Leads record under REST API names with the lead source, leaving out empty fields', () => {
    expect(syncLeadRecord(lead({ phone: '', title: 'CTO', country: 'US' }))).toEqual({
      email: 'kim@contoso.example',
      firstName: 'Kim',
      lastName: 'Doe',
      company: 'Contoso',
      title: 'CTO',
      country: 'US',
      leadSource: 'AppSource-PLT|contoso.crm-connector',
    });
    expect(syncLeadsBody([{ email: 'a@b.example' }])).toEqual({
      action: 'createOrUpdate',
      lookupField: 'email',
      input: [{ email: 'a@b.example' }],
    });
  });

  it('fills the form with the customer fields only (every field sent must be on the form)', () => {
    expect(submitFormBody(1179, lead({ phone: '+1 425 555 0100' }))).toEqual({
      formId: 1179,
      input: [
        {
          leadFormFields: {
            email: 'kim@contoso.example',
            firstName: 'Kim',
            lastName: 'Doe',
            company: 'Contoso',
            phone: '+1 425 555 0100',
          },
        },
      ],
    });
    expect(Object.keys(customerFields(lead()))).not.toContain('leadSource');
  });

  it('cuts 1,000 records into calls of at most 300', () => {
    const records = Array.from({ length: 1000 }, (_, i) => ({ email: `p${i}@contoso.example` }));
    expect(chunk(records, jsonBytes).map((c) => c.length)).toEqual([300, 300, 300, 100]);
    expect(chunk([], jsonBytes)).toEqual([]);
  });

  it('cuts before a body would pass 1 MB (Marketo answers 413)', () => {
    const big = Array.from({ length: 300 }, (_, i) => ({ email: `p${i}@contoso.example`, pad: 'x'.repeat(4000) }));
    const chunks = chunk(big, jsonBytes);
    expect(chunks.length).toBe(2);
    for (const c of chunks) expect(jsonBytes(syncLeadsBody(c))).toBeLessThan(1_048_576);
    expect(chunks.flat()).toEqual(big);
  });
});
