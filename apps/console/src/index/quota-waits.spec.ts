import { quotaWaitKey, type QuotaWaitRecord } from '@leadflow/lead-model';
import { OfferQuotaWaits } from './quota-waits';

const NOW = Date.parse('2026-01-01T00:00:00.000Z');
const record = (offerId: string, account: string, leads: number, until: string): QuotaWaitRecord => ({
  offerId,
  account,
  destination: 'marketo',
  leads,
  until,
  errorClass: 'MARKETO.DAILY_QUOTA',
  updatedAt: '2026-01-01T00:00:00.000Z',
});
const buf = (r: unknown) => Buffer.from(JSON.stringify(r));
const key = (offerId: string, account: string) => Buffer.from(quotaWaitKey(offerId, account));

describe('OfferQuotaWaits', () => {
  it("keeps each key's latest record, shows those not over (ending first first), forgets one at its tombstone", () => {
    const w = new OfferQuotaWaits();
    expect(
      w.applyRecord(
        key('contoso.crm', 'marketo:A'),
        buf(record('contoso.crm', 'marketo:A', 2, '2026-01-02T00:00:00.000Z')),
      ),
    ).toBe('contoso.crm');
    w.applyRecord(
      key('contoso.crm', 'marketo:A'),
      buf(record('contoso.crm', 'marketo:A', 5, '2026-01-03T00:00:00.000Z')),
    );
    w.applyRecord(
      key('contoso.crm', 'marketo:B'),
      buf(record('contoso.crm', 'marketo:B', 1, '2026-01-01T06:00:00.000Z')),
    );
    w.applyRecord(
      key('contoso.crm', 'marketo:C'),
      buf(record('contoso.crm', 'marketo:C', 7, '2025-12-31T23:59:59.000Z')),
    );
    expect(w.of('contoso.crm', NOW).map((v) => [v.leads, v.until])).toEqual([
      [1, '2026-01-01T06:00:00.000Z'],
      [5, '2026-01-03T00:00:00.000Z'],
    ]);
    expect(w.of('fabrikam.crm', NOW)).toEqual([]);
    expect(w.applyRecord(key('contoso.crm', 'marketo:B'), null)).toBe('contoso.crm');
    expect(w.of('contoso.crm', NOW).map((v) => v.leads)).toEqual([5]);
    // A tombstone for a key never seen changes nothing.
    expect(w.applyRecord(key('contoso.crm', 'marketo:Z'), null)).toBeUndefined();
  });

  it('skips what is not a quota wait: a bad key, a bad value, a record of another offer than its key', () => {
    const w = new OfferQuotaWaits();
    const good = record('contoso.crm', 'marketo:A', 2, '2026-01-02T00:00:00.000Z');
    expect(w.applyRecord(Buffer.from('no-separator'), buf(good))).toBeUndefined();
    expect(w.applyRecord(null, buf(good))).toBeUndefined();
    expect(w.applyRecord(key('contoso.crm', 'marketo:A'), Buffer.from('{not json'))).toBeUndefined();
    expect(w.applyRecord(key('contoso.crm', 'marketo:A'), buf({ ...good, leads: 0 }))).toBeUndefined();
    expect(w.applyRecord(key('fabrikam.crm', 'marketo:A'), buf(good))).toBeUndefined();
    expect(w.of('contoso.crm', NOW)).toEqual([]);
    expect(w.of('fabrikam.crm', NOW)).toEqual([]);
  });
});
