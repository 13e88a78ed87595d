import { OffsetLedger } from './offset-ledger';

type Ticket = ReturnType<OffsetLedger['take']>;
const T = 'leads.route.https';

describe('OffsetLedger', () => {
  it('offers each partition past its settled prefix once', () => {
    const ledger = new OffsetLedger();
    const t = ['10', '11', '12'].map((o) => ledger.take(T, 0, o));
    const other = ledger.take(T, 1, '5');
    ledger.settle(t[1] as Ticket);
    expect(ledger.pending()).toEqual([]);
    ledger.settle(t[0] as Ticket);
    ledger.settle(other);
    expect(ledger.pending()).toEqual([
      { topic: T, partition: 0, offset: '12' },
      { topic: T, partition: 1, offset: '6' },
    ]);
    ledger.markCommitted(ledger.pending());
    expect(ledger.pending()).toEqual([]);
    expect(ledger.unsettled).toBe(1);
  });

  it('forgets a partition that moved away, and keeps a kept one with where its fetching resumes', () => {
    const ledger = new OffsetLedger();
    const moved = ledger.take(T, 0, '10');
    const kept = ['20', '21', '22'].map((o) => ledger.take(T, 1, o));
    ledger.settle(kept[0] as Ticket);

    // Partition 1 stays: it resumes after the last record taken (22), not from its committed offset.
    expect(ledger.rebalanced((_topic, p) => p === 1)).toEqual([{ topic: T, partition: 1, offset: '23' }]);

    ledger.settle(moved); // taken before partition 0 moved: never committed by this instance
    ledger.settle(kept[1] as Ticket);
    ledger.settle(kept[2] as Ticket); // taken before the rebalance, on a kept partition: committed
    expect(ledger.pending()).toEqual([{ topic: T, partition: 1, offset: '23' }]);
    expect(ledger.unsettled).toBe(0);

    // Partition 0 comes back later: counted afresh from what is taken then.
    const again = ledger.take(T, 0, '10');
    ledger.settle(again);
    expect(ledger.pending()).toContainEqual({ topic: T, partition: 0, offset: '11' });
  });
});
