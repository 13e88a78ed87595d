import { leadIdFromIdempotencyKey } from './lead-ids';
import { intakeLead, validIdempotencyKey } from './lead-intake';

const now = new Date('2026-03-01T10:00:00.000Z');
const canonical = {
  offerId: 'contoso.crm',
  source: 'AzureMarketplace',
  action: 'INS',
  customer: { firstName: 'Ann', lastName: 'Lee', email: 'ann@contoso.com', phone: '555' },
};

describe('intakeLead', () => {
  it('keeps a producer-supplied leadId even with an Idempotency-Key', () => {
    const r = intakeLead({ ...canonical, leadId: 'mine-1' }, { now, idempotencyKey: 'k1' });
    expect(r.ok && r.lead.leadId).toBe('mine-1');
  });

  it('derives the leadId from the Idempotency-Key and the offer, the same on every retry', () => {
    const a = intakeLead(canonical, { now, idempotencyKey: 'order-7' });
    const b = intakeLead(canonical, { now, idempotencyKey: 'order-7' });
    expect(a.ok && a.lead.leadId).toBe(leadIdFromIdempotencyKey('contoso.crm', 'order-7'));
    expect(b.ok && b.lead.leadId).toBe(a.ok && a.lead.leadId);
  });

  it('assigns a fresh id without key', () => {
    const r = intakeLead(canonical, { now, newLeadId: () => 'fresh-1' });
    expect(r.ok && r.lead.leadId).toBe('fresh-1');
  });

  it('takes the offer from the path for the marketplace body, which names none', () => {
    const r = intakeLead(
      {
        UserDetails: { FirstName: 'Ann', LastName: 'Lee', Email: 'ann@contoso.com' },
        LeadSource: 'AzureMarketplace',
        ActionCode: 'INS',
        OfferTitle: 'CRM',
      },
      { now, pathOfferId: 'contoso.crm' },
    );
    expect(r.ok && r.lead.offerId).toBe('contoso.crm');
  });

  it('removes the PII of .edu customers before anything else sees the lead', () => {
    const r = intakeLead({ ...canonical, customer: { ...canonical.customer, email: 'ann@uni.edu' } }, { now });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.lead.piiSuppressed).toBe(true);
    expect(JSON.stringify(r.lead)).not.toMatch(/Ann|Lee|uni\.edu|555/);
  });

  it('names every failing field', () => {
    const r = intakeLead({ source: 'Nowhere', customer: { email: 'not-an-email' } }, { now });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const paths = r.errors.map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['source', 'offerId', 'action', 'customer.email']));
  });
});

describe('validIdempotencyKey', () => {
  it('accepts 1..255 visible ASCII characters only', () => {
    expect(validIdempotencyKey('abc-123_XYZ:9')).toBe(true);
    expect(validIdempotencyKey('x'.repeat(255))).toBe(true);
    expect(validIdempotencyKey('x'.repeat(256))).toBe(false);
    expect(validIdempotencyKey('')).toBe(false);
    expect(validIdempotencyKey('has space')).toBe(false);
    expect(validIdempotencyKey('ünïcode')).toBe(false);
  });
});
