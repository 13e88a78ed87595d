import type { Lead } from '@leadflow/lead-model';
import { NOT_PROVIDED, personalValues, toLeadRecord, toWebToLeadForm } from './lead-mapping';

const lead: Lead = {
  leadId: '0190a0e4-7c1d-7000-8000-000000000001',
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
  occurredAt: '2026-01-02T03:04:05Z',
  isTest: false,
  piiSuppressed: false,
};

describe('Web-to-Lead form', () => {
  it("carries the marketplace's fields, lead_source as Source-Action|Offer and encoding=UTF-8", () => {
    expect([...toWebToLeadForm(lead, '00Do0000000ZHog')]).toEqual([
      ['oid', '00Do0000000ZHog'],
      ['first_name', 'Kim'],
      ['last_name', 'Doe'],
      ['email', 'kim@fabrikam.example'],
      ['company', 'Fabrikam'],
      ['phone', '+1 425 555 0100'],
      ['title', 'CTO'],
      ['country', 'US'],
      ['description', 'Wants a demo'],
      ['lead_source', 'AppSource-PLT|contoso.crm-connector'],
      ['encoding', 'UTF-8'],
    ]);
  });

  it('leaves out fields the lead does not carry and encodes as a form', () => {
    const bare: Lead = {
      ...lead,
      customer: { firstName: 'Zoë', lastName: 'Ø&=', email: 'z@x.example' },
      description: '',
    };
    const form = toWebToLeadForm(bare, '00Do0000000ZHog');
    expect([...form.keys()]).toEqual(['oid', 'first_name', 'last_name', 'email', 'lead_source', 'encoding']);
    expect(form.toString()).toContain('last_name=%C3%98%26%3D');
  });
});

describe('Lead record (API)', () => {
  it('maps the lead to standard Lead fields', () => {
    expect(toLeadRecord(lead)).toEqual({
      FirstName: 'Kim',
      LastName: 'Doe',
      Email: 'kim@fabrikam.example',
      Company: 'Fabrikam',
      Phone: '+1 425 555 0100',
      Title: 'CTO',
      Country: 'US',
      Description: 'Wants a demo',
      LeadSource: 'AppSource-PLT|contoso.crm-connector',
    });
  });

  it('puts the lead id in the external-id field when the destination names one', () => {
    expect(toLeadRecord(lead, 'LeadflowId__c')).toMatchObject({ LeadflowId__c: lead.leadId });
    expect(Object.keys(toLeadRecord(lead))).not.toContain('LeadflowId__c');
  });

  it('fills the required LastName and Company like Web-to-Lead when a lead lacks them (suppressed .edu PII)', () => {
    const suppressed: Lead = {
      ...lead,
      piiSuppressed: true,
      customer: { firstName: '', lastName: '', email: '', country: 'US' },
    };
    expect(toLeadRecord(suppressed)).toEqual({
      LastName: NOT_PROVIDED,
      Company: NOT_PROVIDED,
      Country: 'US',
      Description: 'Wants a demo',
      LeadSource: 'AppSource-PLT|contoso.crm-connector',
    });
    expect(personalValues(suppressed)).toEqual([]);
  });

  it("cuts values to the standard fields' lengths instead of having the record refused", () => {
    const long: Lead = { ...lead, customer: { ...lead.customer, firstName: 'K'.repeat(60), company: 'C'.repeat(300) } };
    const record = toLeadRecord(long);
    expect([record['FirstName']?.length, record['Company']?.length]).toEqual([40, 255]);
  });

  it("lists the lead's personal values to scrub", () => {
    expect(personalValues(lead)).toEqual(['Kim', 'Doe', 'kim@fabrikam.example', '+1 425 555 0100']);
  });
});
