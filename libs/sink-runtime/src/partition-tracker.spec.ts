import { PartitionTracker } from './partition-tracker';

describe('PartitionTracker', () => {
  it('commits only past the contiguous settled prefix', () => {
    const t = new PartitionTracker();
    ['10', '11', '12', '13'].forEach((o) => t.add(o));
    t.settle('12');
    expect(t.nextCommit).toBeUndefined();
    t.settle('10');
    expect(t.nextCommit).toBe('11');
    t.settle('11');
    expect(t.nextCommit).toBe('13');
    expect(t.inFlight).toBe(1);
    t.settle('13');
    expect(t.nextCommit).toBe('14');
  });
});
