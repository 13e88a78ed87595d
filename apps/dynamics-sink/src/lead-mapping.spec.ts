import type { Lead } from '@leadflow/lead-model';
import { dataverseLeadId, toDataverseLead } from './lead-mapping';

const lead: Lead = {
  leadId: '0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b',
  offerId: 'contoso.crm-connector',
  source: 'AppSource',
  action: 'PLT',
  offerTitle: 'Contoso CRM Connector',
  customer: {
    firstName: 'Kim',
    lastName: 'Doe',
    email: 'kim@fabrikam.example',
    phone: '+1 425 555 0100',
    country: 'US',
    company: 'Fabrikam',
    title: 'CTO',
  },
  description: 'Wants a demo',
  occurredAt: '2024-05-02T10:11:12Z',
  isTest: false,
  piiSuppressed: false,
};

describe('toDataverseLead', () => {
  it('maps every field, with the lead id as leadid and the Source-Action|Offer line in the description', () => {
    expect(toDataverseLead(lead)).toEqual({
      leadid: '0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b',
      subject: 'Contoso CRM Connector - PLT',
      firstname: 'Kim',
      lastname: 'Doe',
      emailaddress1: 'kim@fabrikam.example',
      telephone1: '+1 425 555 0100',
      companyname: 'Fabrikam',
      jobtitle: 'CTO',
      address1_country: 'US',
      description: 'Wants a demo\n\nAppSource-PLT|contoso.crm-connector',
    });
  });

  it('leaves out what a PII-suppressed (.edu) lead does not carry, and names the offer when it has no title', () => {
    const edu: Lead = {
      ...lead,
      offerTitle: undefined,
      description: undefined,
      customer: { firstName: '', lastName: '', email: '', company: 'Contoso University', country: 'US' },
      piiSuppressed: true,
    };
    expect(toDataverseLead(edu)).toEqual({
      leadid: lead.leadId,
      subject: 'contoso.crm-connector - PLT',
      companyname: 'Contoso University',
      address1_country: 'US',
      description: 'AppSource-PLT|contoso.crm-connector',
    });
  });

  it("shortens values to the lead columns' lengths and keeps the source line of a long description", () => {
    const long: Lead = {
      ...lead,
      customer: { ...lead.customer, firstName: 'K'.repeat(80), company: 'F'.repeat(200) },
      description: 'd'.repeat(4000),
    };
    const r = toDataverseLead(long);
    expect(r.firstname).toHaveLength(50);
    expect(r.companyname).toHaveLength(100);
    expect(r.description.length).toBeLessThanOrEqual(2000);
    expect(r.description.endsWith('\n\nAppSource-PLT|contoso.crm-connector')).toBe(true);
  });
});

describe('dataverseLeadId', () => {
  it('keeps a GUID lead id (lower case) and makes a stable v5 GUID of any other', () => {
    expect(dataverseLeadId('0190A1B2-C3D4-7E5F-8A6B-7C8D9E0F1A2B')).toBe('0190a1b2-c3d4-7e5f-8a6b-7c8d9e0f1a2b');
    const a = dataverseLeadId('producer-lead:42');
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(dataverseLeadId('producer-lead:42')).toBe(a);
    expect(dataverseLeadId('producer-lead:43')).not.toBe(a);
  });
});
