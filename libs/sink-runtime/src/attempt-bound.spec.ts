import { boundedBy } from './attempt-bound';

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
