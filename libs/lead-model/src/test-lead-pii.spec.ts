import { createTestLead, dotNetTicks, isEduEmail, isTestLead, parseLead, suppressEduPii, type Lead } from './index';

describe('test leads', () => {
  it('computes .NET ticks like the marketplace marker', () => {
    expect(dotNetTicks(new Date('2018-01-01T00:00:00Z'))).toBe('636503616000000000');
    expect(dotNetTicks(new Date('0001-01-01T00:00:00Z'))).toBe('0');
  });

  it('creates a valid lead whose every text field carries MSFT_TEST_<ticks>', () => {
    const now = new Date('2018-03-20T12:00:00Z');
    const lead = createTestLead({ offerId: 'contoso.crm', leadId: 'lead-1', now });
    const marker = `MSFT_TEST_${dotNetTicks(now)}`;
    expect(parseLead(lead)).toEqual({ ok: true, value: lead });
    expect(lead).toMatchObject({
      isTest: true,
      description: marker,
      customer: { firstName: marker, lastName: marker, company: marker, title: marker, email: `${marker}@test.com` },
    });
    expect(isTestLead(lead)).toBe(true);
    expect(isTestLead({ customer: { firstName: 'Kim', lastName: 'A', email: 'kim@x.com' } })).toBe(false);
  });
});

describe('.edu PII suppression', () => {
  const lead: Lead = {
    leadId: 'l1',
    offerId: 'contoso.crm',
    source: 'AzureMarketplace',
    action: 'INS',
    customer: {
      firstName: 'Pat',
      lastName: 'Doe',
      email: 'pat@cs.University.EDU',
      phone: '123',
      company: 'State U',
      country: 'US',
      title: 'Student',
    },
    occurredAt: '2026-11-24T10:00:00.000Z',
    isTest: false,
    piiSuppressed: false,
  };

  it('recognises .edu domains and subdomains only', () => {
    expect(isEduEmail('pat@cs.university.EDU')).toBe(true);
    expect(isEduEmail(' a@mit.edu ')).toBe(true);
    expect(isEduEmail('a@education.com')).toBe(false);
    expect(isEduEmail('a@edu.example.com')).toBe(false);
    expect(isEduEmail(undefined)).toBe(false);
  });

  it('removes names, e-mail and phone, keeps company, country and title, and stays a valid lead', () => {
    const s = suppressEduPii(lead);
    expect(s.customer).toEqual({
      firstName: '',
      lastName: '',
      email: '',
      company: 'State U',
      country: 'US',
      title: 'Student',
    });
    expect(s.piiSuppressed).toBe(true);
    expect(JSON.stringify(s)).not.toMatch(/Pat|Doe|pat@|"123"/);
    expect(parseLead(s).ok).toBe(true);
  });

  it('leaves other leads untouched and refuses PII on a lead marked suppressed', () => {
    const other = { ...lead, customer: { ...lead.customer, email: 'kim@contoso.com' } };
    expect(suppressEduPii(other)).toBe(other);
    const r = parseLead({ ...lead, piiSuppressed: true });
    expect(!r.ok && r.issues.map((i) => i.path).sort()).toEqual([
      'customer.email',
      'customer.firstName',
      'customer.lastName',
      'customer.phone',
    ]);
  });
});
