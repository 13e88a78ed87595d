import { DEFAULT_RETRY, FOREVER, errorSummary, nextDelay, retry, sleep } from './index';

describe('nextDelay', () => {
  it('backs off exponentially with full jitter, honours Retry-After and stops at the budget', () => {
    expect(nextDelay(DEFAULT_RETRY, 1, 0, undefined, () => 1)).toBe(500);
    expect(nextDelay(DEFAULT_RETRY, 3, 0, undefined, () => 1)).toBe(2_000);
    expect(nextDelay(DEFAULT_RETRY, 3, 0, undefined, () => 0)).toBe(0);
    expect(nextDelay(DEFAULT_RETRY, 2, 0, 10_000, () => 0.5)).toBe(10_000);
    expect(nextDelay(DEFAULT_RETRY, 6, 0, undefined)).toBeUndefined();
    expect(nextDelay(DEFAULT_RETRY, 2, 119_900, undefined, () => 1)).toBeUndefined();
  });

  it('caps the delay and never overflows when retrying forever', () => {
    expect(nextDelay(FOREVER, 10_000, 1e12, undefined, () => 1)).toBe(FOREVER.maxDelayMs);
  });
});

describe('retry', () => {
  const policy = { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 2, maxElapsedMs: 10_000 };

  it('retries until an attempt succeeds and reports each failure', async () => {
    const seen: number[] = [];
    const result = await retry(
      async (n) => {
        if (n < 3) throw new Error(`fail ${n}`);
        return n;
      },
      { policy, onRetry: (_e, n) => seen.push(n) },
    );
    expect(result).toBe(3);
    expect(seen).toEqual([1, 2]);
  });

  it('gives up with the last error when the attempts are spent, and at once on a non-retriable one', async () => {
    let calls = 0;
    await expect(
      retry(
        async () => {
          calls++;
          throw new Error('always');
        },
        { policy },
      ),
    ).rejects.toThrow('always');
    expect(calls).toBe(4);
    calls = 0;
    await expect(
      retry(
        async () => {
          calls++;
          throw new TypeError('bug');
        },
        { policy, retriable: (e) => !(e instanceof TypeError) },
      ),
    ).rejects.toThrow('bug');
    expect(calls).toBe(1);
  });

  it('stops waiting when aborted', async () => {
    const abort = new AbortController();
    const pending = retry(
      async () => {
        throw new Error('down');
      },
      { policy: { ...FOREVER, baseDelayMs: 60_000, maxDelayMs: 60_000 }, signal: abort.signal, random: () => 1 },
    );
    setTimeout(() => abort.abort(), 10);
    await expect(pending).rejects.toThrow('down');
  });
});

describe('sleep and errorSummary', () => {
  it('sleep resolves at once on an aborted signal', async () => {
    const abort = new AbortController();
    abort.abort();
    const t0 = Date.now();
    await sleep(60_000, abort.signal);
    expect(Date.now() - t0).toBeLessThan(1_000);
  });

  it('keeps name, code and message only', () => {
    const err = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED', body: 'secret' });
    expect(errorSummary(err)).toBe('Error ECONNREFUSED: connect ECONNREFUSED');
    expect(errorSummary('plain')).toBe('plain');
  });
});
