import { PartitionTracker } from './partition-tracker';
import { nextDelay, DEFAULT_RETRY } from './retry';

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

describe('nextDelay', () => {
  it('backs off exponentially with jitter, honours Retry-After and stops at the budget', () => {
    expect(nextDelay(DEFAULT_RETRY, 1, 0, undefined, () => 1)).toBe(500);
    expect(nextDelay(DEFAULT_RETRY, 3, 0, undefined, () => 1)).toBe(2_000);
    expect(nextDelay(DEFAULT_RETRY, 3, 0, undefined, () => 0)).toBe(0);
    expect(nextDelay(DEFAULT_RETRY, 2, 0, 10_000, () => 0.5)).toBe(10_000);
    expect(nextDelay(DEFAULT_RETRY, 6, 0, undefined)).toBeUndefined();
    expect(nextDelay(DEFAULT_RETRY, 2, 119_900, undefined, () => 1)).toBeUndefined();
  });
});
