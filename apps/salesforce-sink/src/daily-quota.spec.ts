import { DailyQuota, nextUtcMidnight } from './daily-quota';

describe('DailyQuota', () => {
  it('gives each key its limit per UTC day, then says to wait until the next 00:00 UTC', () => {
    let now = Date.UTC(2026, 2, 14, 23, 59, 0);
    const quota = new DailyQuota(2, () => now);
    expect(quota.take('00DA')).toEqual({ ok: true });
    expect(quota.take('00DA')).toEqual({ ok: true });
    expect(quota.take('00DB')).toEqual({ ok: true });
    expect(quota.take('00DA')).toEqual({ ok: false, waitUntil: Date.UTC(2026, 2, 15) });
    now = Date.UTC(2026, 2, 15, 0, 0, 0);
    expect(quota.take('00DA')).toEqual({ ok: true });
    expect(quota.usedToday('00DA')).toBe(1);
  });

  it('takes back a request that did not reach Salesforce', () => {
    const quota = new DailyQuota(1, () => Date.UTC(2026, 0, 1, 12));
    expect(quota.take('00DA').ok).toBe(true);
    quota.giveBack('00DA');
    expect(quota.take('00DA').ok).toBe(true);
    expect(quota.take('00DA').ok).toBe(false);
  });

  it('computes the next UTC midnight across month and year ends', () => {
    expect(nextUtcMidnight(Date.UTC(2026, 11, 31, 10))).toBe(Date.UTC(2027, 0, 1));
    expect(nextUtcMidnight(Date.UTC(2028, 1, 28, 23, 59, 59, 999))).toBe(Date.UTC(2028, 1, 29));
    expect(nextUtcMidnight(Date.UTC(2026, 5, 1))).toBe(Date.UTC(2026, 5, 2));
  });
});
