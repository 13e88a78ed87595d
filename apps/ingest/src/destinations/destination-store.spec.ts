import type { OfferDestinationRecord } from '@leadflow/lead-model';
import { DestinationStore, type OfferRecords } from './destination-store';

/** A stand-in for the OfferTable's view: a map plus change notifications, as the table delivers them. */
function fakeTable() {
  const records = new Map<string, OfferDestinationRecord>();
  const listeners: ((offerId: string, r: OfferDestinationRecord | undefined) => void)[] = [];
  const table: OfferRecords = { get: (id) => records.get(id), onChange: (l) => void listeners.push(l) };
  const apply = (offerId: string, r: OfferDestinationRecord | undefined) => {
    if (r) records.set(offerId, r);
    else records.delete(offerId);
    listeners.forEach((l) => l(offerId, r));
  };
  return { table, apply };
}

const rec = (version: number, offerId = 'contoso.crm'): OfferDestinationRecord => ({
  offerId,
  version,
  destination: { type: 'https', url: 'https://x.example' },
  updatedAt: `2026-01-01T00:00:0${version}.000Z`,
});

describe('DestinationStore', () => {
  it('answers with its own write until the table has read it back', () => {
    const { table, apply } = fakeTable();
    const store = new DestinationStore(table);
    apply('contoso.crm', rec(1));
    expect(store.nextVersion('contoso.crm')).toBe(2);
    store.saved(rec(2));
    expect(store.current('contoso.crm')?.version).toBe(2);
    expect(store.nextVersion('contoso.crm')).toBe(3);
    apply('contoso.crm', rec(2));
    apply('contoso.crm', rec(5));
    expect(store.current('contoso.crm')?.version).toBe(5);
  });

  it('hides a removed destination until the tombstone arrives, and keeps counting versions', () => {
    const { table, apply } = fakeTable();
    const store = new DestinationStore(table);
    apply('contoso.crm', rec(3));
    store.removed('contoso.crm');
    expect(store.current('contoso.crm')).toBeUndefined();
    expect(store.nextVersion('contoso.crm')).toBe(4);
    apply('contoso.crm', undefined);
    expect(store.current('contoso.crm')).toBeUndefined();
    expect(store.current('fabrikam.crm')).toBeUndefined();
  });

  it('runs the writes of one offer one after another, also after a failure', async () => {
    const { table } = fakeTable();
    const store = new DestinationStore(table);
    const order: string[] = [];
    const slow = store.exclusive('contoso.crm', async () => {
      await new Promise((r) => setTimeout(r, 20));
      order.push('first');
      throw new Error('boom');
    });
    const next = store.exclusive('contoso.crm', async () => {
      order.push('second');
      return 2;
    });
    await expect(slow).rejects.toThrow('boom');
    await expect(next).resolves.toBe(2);
    expect(order).toEqual(['first', 'second']);
  });
});
