import { leadIdFromIdempotencyKey, uuidV5, uuidV7, validationLeadId } from './lead-ids';

describe('lead ids', () => {
  it('computes RFC 9562 UUIDv5 (known vector: DNS namespace, "www.example.com")', () => {
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe(
      '2ed6657d-e927-568b-95e1-2665a8aea6a2',
    );
  });

  it('derives the same leadId for the same offer and Idempotency-Key, a different one otherwise', () => {
    const a = leadIdFromIdempotencyKey('contoso.crm', 'order-42');
    expect(leadIdFromIdempotencyKey('contoso.crm', 'order-42')).toBe(a);
    expect(leadIdFromIdempotencyKey('contoso.crm', 'order-43')).not.toBe(a);
    expect(leadIdFromIdempotencyKey('fabrikam.crm', 'order-42')).not.toBe(a);
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('makes time-ordered UUIDv7s', () => {
    const early = uuidV7(1_700_000_000_000);
    const late = uuidV7(1_700_000_000_001);
    expect(early).toMatch(/^018bcfe5-6800-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(early < late).toBe(true);
    expect(uuidV7()).not.toBe(uuidV7());
  });

  it('derives a validation lead id per offer version and save time', () => {
    const v1 = validationLeadId('contoso.crm', 1, '2026-01-01T00:00:00.000Z');
    expect(validationLeadId('contoso.crm', 1, '2026-01-01T00:00:00.000Z')).toBe(v1);
    expect(validationLeadId('contoso.crm', 2, '2026-01-01T00:00:00.000Z')).not.toBe(v1);
    expect(validationLeadId('contoso.crm', 1, '2026-01-02T00:00:00.000Z')).not.toBe(v1);
  });
});
