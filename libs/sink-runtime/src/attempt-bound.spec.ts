import { attemptSignal, boundedBy } from './attempt-bound';

const never = new Promise<never>(() => undefined);

describe('boundedBy', () => {
  it('ends an attempt the sink never ends, soon after its signal aborted, with a timeout', async () => {
    const ac = new AbortController();
    const bounded = boundedBy(ac.signal, never, 20);
    ac.abort();
    await expect(bounded).rejects.toMatchObject({ name: 'TimeoutError' });
  });

  it('ends at once-aborted attempts too (the signal fired before the sink was called)', async () => {
    await expect(boundedBy(AbortSignal.abort(), never, 10)).rejects.toMatchObject({ name: 'TimeoutError' });
  });

  it("keeps the sink's own error when the sink ends the attempt within the grace", async () => {
    const ac = new AbortController();
    const own = new Error('quota: wait 20 s');
    const work = new Promise<never>((_, reject) =>
      ac.signal.addEventListener('abort', () => setTimeout(() => reject(own), 5)),
    );
    const bounded = boundedBy(ac.signal, work, 200);
    ac.abort();
    await expect(bounded).rejects.toBe(own);
  });

  it("passes the sink's result through when the signal never aborts", async () => {
    await expect(boundedBy(new AbortController().signal, Promise.resolve(42), 10)).resolves.toBe(42);
  });
});

describe('attemptSignal', () => {
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('aborts with a TimeoutError once the attempt had its time', async () => {
    const { signal } = attemptSignal(10, []);
    await sleep(40);
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toMatchObject({ name: 'TimeoutError' });
  });

  it('aborts with the reason of a signal it follows (a lost partition, the shutdown)', () => {
    const lease = new AbortController();
    const { signal, end } = attemptSignal(10_000, [lease.signal]);
    lease.abort(new Error('partition revoked'));
    expect(signal.reason).toMatchObject({ message: 'partition revoked' });
    end();
  });

  it('stays quiet after the attempt ended: its clock is stopped', async () => {
    const { signal, end } = attemptSignal(10, []);
    end();
    await sleep(40);
    expect(signal.aborted).toBe(false);
  });
});
