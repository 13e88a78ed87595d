import { OffsetLedger } from './offset-ledger';

describe('OffsetLedger', () => {
  it('offers each partition past its settled prefix once, and forgets what was taken before a rebalance', () => {
    const ledger = new OffsetLedger();
    const t = ['10', '11', '12'].map((o) => ledger.take('leads.route.https', 0, o));
    const other = ledger.take('leads.route.https', 1, '5');
    ledger.settle(t[1] as (typeof t)[number]);
    expect(ledger.pending()).toEqual([]);
    ledger.settle(t[0] as (typeof t)[number]);
    ledger.settle(other);
    expect(ledger.pending()).toEqual([
      { topic: 'leads.route.https', partition: 0, offset: '12' },
      { topic: 'leads.route.https', partition: 1, offset: '6' },
    ]);
    ledger.markCommitted(ledger.pending());
    expect(ledger.pending()).toEqual([]);
    expect(ledger.unsettled).toBe(1);

    ledger.rebalanced();
    ledger.settle(t[2] as (typeof t)[number]); // taken before the rebalance: never committed by this instance
    expect(ledger.pending()).toEqual([]);
    const after = ledger.take('leads.route.https', 0, '12');
    ledger.settle(after);
    expect(ledger.pending()).toEqual([{ topic: 'leads.route.https', partition: 0, offset: '13' }]);
  });
});
