import { classifyMarketo } from './marketo-classify';
import { MarketoError } from './marketo-errors';
import { MarketoPacer, nextQuotaReset, type PacerClock, type PacerLimits, type Permit } from './marketo-pacer';

/** A clock the test moves: timers fire in time order as it advances. */
class FakeClock implements PacerClock {
  t = Date.UTC(2026, 0, 5, 12, 0, 0);
  private timers: { at: number; fn: () => void }[] = [];
  now = () => this.t;
  setTimer(fn: () => void, ms: number): () => void {
    const timer = { at: this.t + ms, fn };
    this.timers.push(timer);
    return () => (this.timers = this.timers.filter((x) => x !== timer));
  }
  async advance(ms: number): Promise<void> {
    const until = this.t + ms;
    await flush();
    for (;;) {
      const due = this.timers.filter((x) => x.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((x) => x !== due);
      this.t = due.at;
      due.fn();
      await flush();
    }
    this.t = until;
    await flush();
  }
}

const flush = () => new Promise((r) => setImmediate(r));

const LIMITS: PacerLimits = { callsPerWindow: 100, windowMs: 20_000, maxConcurrent: 10, dailyQuota: 1_000_000 };
const M = '123-ABC-456';

/** Starts `n` acquisitions and records the order they are granted in. */
function take(pacer: MarketoPacer, n: number, munchkin = M, signal?: AbortSignal) {
  const granted: { i: number; permit: Permit }[] = [];
  const failed: { i: number; error: unknown }[] = [];
  for (let i = 0; i < n; i++)
    pacer.acquire(munchkin, 'syncLeads', signal).then(
      (permit) => granted.push({ i, permit }),
      (error: unknown) => failed.push({ i, error }),
    );
  return { granted, failed, order: () => granted.map((g) => g.i) };
}

describe('Marketo pacer', () => {
  it('runs at most maxConcurrent calls per Munchkin ID, and serves waiters first come, first served', async () => {
    const clock = new FakeClock();
    const pacer = new MarketoPacer(LIMITS, clock);
    const t = take(pacer, 12);
    const other = take(pacer, 3, '999-ZZZ-999');
    await flush();
    expect(t.order()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(other.order()).toEqual([0, 1, 2]);
    t.granted[3]?.permit.release();
    await flush();
    expect(t.order()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    t.granted[3]?.permit.release(); // a second release of the same permit frees nothing
    await flush();
    expect(t.granted).toHaveLength(11);
    t.granted[0]?.permit.release();
    await flush();
    expect(t.order()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it('keeps a finished call in the window until windowMs after its answer', async () => {
    const clock = new FakeClock();
    const pacer = new MarketoPacer({ ...LIMITS, callsPerWindow: 5 }, clock);
    const t = take(pacer, 7);
    await flush();
    expect(t.granted).toHaveLength(5);
    // Running calls hold their window slots however long they run.
    await clock.advance(60_000);
    expect(t.granted).toHaveLength(5);
    t.granted[0]?.permit.release();
    t.granted[1]?.permit.release();
    await clock.advance(19_999);
    expect(t.granted).toHaveLength(5);
    await clock.advance(1);
    expect(t.order()).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('never starts more than callsPerWindow calls in any window', async () => {
    const clock = new FakeClock();
    const pacer = new MarketoPacer(LIMITS, clock);
    const starts: number[] = [];
    for (let i = 0; i < 350; i++)
      void pacer.acquire(M, 'syncLeads').then((permit) => {
        starts.push(clock.now());
        // Every call answers 300 ms after it starts.
        clock.setTimer(() => permit.release(), 300);
      });
    await clock.advance(120_000);
    expect(starts).toHaveLength(350);
    for (let i = 100; i < starts.length; i++)
      expect((starts[i] ?? 0) - (starts[i - 100] ?? 0)).toBeGreaterThanOrEqual(20_000);
    // ... and it uses the window: the 101st call starts 20 s after the first call's answer.
    expect((starts[100] ?? 0) - (starts[0] ?? 0)).toBe(20_300);
  });

  it('holds every call back after Marketo refused one for its limits', async () => {
    const clock = new FakeClock();
    const pacer = new MarketoPacer(LIMITS, clock);
    pacer.hold(M, 5_000);
    const t = take(pacer, 1);
    await clock.advance(4_999);
    expect(t.granted).toHaveLength(0);
    await clock.advance(1);
    expect(t.granted).toHaveLength(1);
  });

  it('refuses calls past the daily quota until 12:00 AM CST, and says when the lead may go', async () => {
    const clock = new FakeClock();
    const pacer = new MarketoPacer({ ...LIMITS, dailyQuota: 3 }, clock);
    const t = take(pacer, 4);
    await flush();
    expect(t.granted).toHaveLength(3);
    expect(pacer.usedToday(M)).toBe(3);
    const refused = t.failed[0]?.error;
    expect(refused).toBeInstanceOf(MarketoError);
    const classified = classifyMarketo(refused);
    const reset = Date.UTC(2026, 0, 6, 6, 0, 0);
    expect([classified.code, classified.waitUntil]).toEqual(['MARKETO.QUOTA_EXCEEDED', reset]);
    await clock.advance(reset - clock.now());
    expect(pacer.usedToday(M)).toBe(0);
    const after = take(pacer, 1);
    await flush();
    expect(after.granted).toHaveLength(1);
  });

  it("treats Marketo's 607 as the quota spent until the reset", async () => {
    const clock = new FakeClock();
    const pacer = new MarketoPacer(LIMITS, clock);
    pacer.exhaust(M);
    const t = take(pacer, 1);
    await flush();
    expect(classifyMarketo(t.failed[0]?.error).waitUntil).toBe(nextQuotaReset(clock.now()));
  });

  it('gives up a wait when the attempt ends, and passes the slot on', async () => {
    const clock = new FakeClock();
    const pacer = new MarketoPacer({ ...LIMITS, maxConcurrent: 1 }, clock);
    const first = take(pacer, 1);
    const ac = new AbortController();
    const aborted = take(pacer, 1, M, ac.signal);
    const third = take(pacer, 1);
    await flush();
    ac.abort();
    await flush();
    const error = classifyMarketo(aborted.failed[0]?.error);
    expect([error.code, error.retriable]).toEqual(['MARKETO.QUOTA_EXCEEDED', true]);
    first.granted[0]?.permit.release();
    await flush();
    expect([aborted.granted.length, third.granted.length]).toEqual([0, 1]);
  });

  it('refuses at once an attempt that ended before it asked (it waited behind an earlier call for the person)', async () => {
    // Such an acquisition used to wait for an abort event that had fired already: its batch call never ended, and
    // the sink stopped delivering once its in-flight slots were held by those leads.
    const clock = new FakeClock();
    const pacer = new MarketoPacer(LIMITS, clock);
    const late = take(pacer, 1, M, AbortSignal.abort());
    await flush();
    expect(late.granted).toHaveLength(0);
    expect(classifyMarketo(late.failed[0]?.error).code).toBe('MARKETO.QUOTA_EXCEEDED');
    // Nothing of it stays behind: it took no call of the window, and the next ones are granted.
    const next = take(pacer, 10);
    await flush();
    expect([next.granted.length, pacer.usedToday(M)]).toEqual([10, 10]);
  });

  it('computes the quota reset as the next 06:00 UTC', () => {
    expect(nextQuotaReset(Date.UTC(2026, 0, 5, 5, 59))).toBe(Date.UTC(2026, 0, 5, 6, 0));
    expect(nextQuotaReset(Date.UTC(2026, 0, 5, 6, 0))).toBe(Date.UTC(2026, 0, 6, 6, 0));
    expect(nextQuotaReset(Date.UTC(2026, 0, 5, 23, 0))).toBe(Date.UTC(2026, 0, 6, 6, 0));
  });
});
