import { Coalescer, CoalescerClosedError } from './coalescer';

/** A flush function that records its calls and lets the test decide when each call settles. */
function controlledFlush<T>() {
  const calls: { items: readonly T[]; resolve: () => void; reject: (e: unknown) => void }[] = [];
  const flush = (items: readonly T[]) =>
    new Promise<void>((resolve, reject) => {
      calls.push({ items, resolve, reject });
    });
  return { calls, flush };
}

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

describe('Coalescer', () => {
  it('sends concurrent submissions within the linger as one flush and resolves each after it', async () => {
    const { calls, flush } = controlledFlush<number>();
    const c = new Coalescer<number>({ flush, lingerMs: 5, maxBatch: 100 });
    const settled: number[] = [];
    const all = [1, 2, 3].map((n) => c.submit(n).then(() => settled.push(n)));
    await tick(20);
    expect(calls.map((x) => x.items)).toEqual([[1, 2, 3]]);
    expect(settled).toEqual([]);
    calls[0]?.resolve();
    await Promise.all(all);
    expect(settled).toEqual([1, 2, 3]);
  });

  it('cuts a flush at maxBatch without waiting for the linger', async () => {
    const flushed: (readonly number[])[] = [];
    const c = new Coalescer<number>({
      flush: async (items) => void flushed.push(items),
      lingerMs: 10_000,
      maxBatch: 2,
      maxInFlight: 4,
    });
    await Promise.all([c.submit(1), c.submit(2), c.submit(3), c.submit(4)]);
    expect(flushed).toEqual([
      [1, 2],
      [3, 4],
    ]);
    await c.close();
  });

  it('rejects every waiter of a failed flush and only those', async () => {
    const { calls, flush } = controlledFlush<string>();
    const c = new Coalescer<string>({ flush, lingerMs: 1, maxBatch: 2 });
    const a = c.submit('a');
    const b = c.submit('b');
    const late = c.submit('c');
    await tick(5);
    expect(calls).toHaveLength(1);
    const boom = new Error('broker gone');
    calls[0]?.reject(boom);
    await expect(a).rejects.toBe(boom);
    await expect(b).rejects.toBe(boom);
    await tick(5);
    expect(calls[1]?.items).toEqual(['c']);
    calls[1]?.resolve();
    await expect(late).resolves.toBeUndefined();
  });

  it('keeps one flush in flight and gathers newcomers into the next one', async () => {
    const { calls, flush } = controlledFlush<number>();
    const c = new Coalescer<number>({ flush, lingerMs: 1, maxBatch: 100 });
    const first = c.submit(1);
    await tick(5);
    const rest = [2, 3, 4].map((n) => c.submit(n));
    await tick(10);
    expect(calls).toHaveLength(1);
    calls[0]?.resolve();
    await first;
    await tick(0);
    expect(calls.map((x) => x.items)).toEqual([[1], [2, 3, 4]]);
    calls[1]?.resolve();
    await Promise.all(rest);
  });

  it('sends submitAll as a flush of its own, in order with the singles', async () => {
    const flushed: (readonly string[])[] = [];
    const c = new Coalescer<string>({ flush: async (items) => void flushed.push(items), lingerMs: 1, maxBatch: 2 });
    await Promise.all([c.submit('s1'), c.submitAll(['b1', 'b2', 'b3'])]);
    expect(flushed).toContainEqual(['b1', 'b2', 'b3']);
    expect(flushed).toContainEqual(['s1']);
    await expect(c.submitAll([])).resolves.toBeUndefined();
  });

  it('turns a synchronous throw of flush into a rejection', async () => {
    const c = new Coalescer<number>({
      flush: () => {
        throw new Error('sync');
      },
      lingerMs: 0,
      maxBatch: 1,
    });
    await expect(c.submit(1)).rejects.toThrow('sync');
  });

  it('on close flushes what is pending at once, waits for acknowledgements and refuses newcomers', async () => {
    const { calls, flush } = controlledFlush<number>();
    const sizes: number[] = [];
    const c = new Coalescer<number>({ flush, lingerMs: 60_000, maxBatch: 100, onFlush: (n) => sizes.push(n) });
    const accepted = c.submit(1);
    expect(c.backlog).toBe(1);
    let closed = false;
    const closing = c.close().then(() => (closed = true));
    await tick(0);
    expect(calls.map((x) => x.items)).toEqual([[1]]);
    expect(c.backlog).toBe(1);
    expect(closed).toBe(false);
    await expect(c.submit(2)).rejects.toBeInstanceOf(CoalescerClosedError);
    await expect(c.submitAll([3])).rejects.toBeInstanceOf(CoalescerClosedError);
    calls[0]?.resolve();
    await accepted;
    await closing;
    expect(closed).toBe(true);
    expect(sizes).toEqual([1]);
    expect(c.backlog).toBe(0);
  });
});
