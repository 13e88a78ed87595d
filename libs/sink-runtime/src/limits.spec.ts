import { InFlightLimit } from './in-flight-limit';
import { PerKeyLimit } from './per-key-limit';

const tick = () => new Promise((r) => setImmediate(r));

describe('InFlightLimit', () => {
  it('lets `max` holders in, wakes exactly one waiter per release, and keeps the waiter alive meanwhile', async () => {
    const seen: number[] = [];
    const limit = new InFlightLimit(2, (n) => seen.push(n));
    await limit.acquire();
    await limit.acquire();
    let beats = 0;
    let third = false;
    const waiting = limit.acquire(async () => void beats++, 5).then(() => (third = true));
    await new Promise((r) => setTimeout(r, 30));
    expect(third).toBe(false);
    expect(beats).toBeGreaterThan(0);
    limit.release();
    await waiting;
    expect(third).toBe(true);
    expect(limit.inFlight).toBe(2);
    expect(seen).toEqual([1, 2, 1, 2]);
  });
});

describe('InFlightLimit.untilNoneWaiting', () => {
  it('holds the consumer while someone waits for a slot, beating meanwhile, and lets it go once no one does', async () => {
    const limit = new InFlightLimit(1);
    await limit.untilNoneWaiting(async () => undefined); // no one waits: at once
    await limit.acquire();
    const queued = limit.acquire(); // waits for the slot
    let beats = 0;
    let free = false;
    const consumer = limit.untilNoneWaiting(async () => void beats++, 5).then(() => (free = true));
    await new Promise((r) => setTimeout(r, 30));
    expect(free).toBe(false);
    expect(beats).toBeGreaterThan(0);
    limit.release(); // the queued one gets the slot: no one waits any more
    await queued;
    await consumer;
    expect(free).toBe(true);
    expect(limit.inFlight).toBe(1);
  });
});

describe('PerKeyLimit', () => {
  it('runs at most `max` tasks of a key at once, queues the rest, never holds back other keys, forgets idle keys', async () => {
    const limit = new PerKeyLimit(1);
    const release: (() => void)[] = [];
    const started: string[] = [];
    const task = (name: string) => () =>
      new Promise<string>((resolve) => {
        started.push(name);
        release.push(() => resolve(name));
      });
    const a1 = limit.run('a', task('a1'));
    const a2 = limit.run('a', task('a2'));
    const b1 = limit.run('b', task('b1'));
    await tick();
    expect(started).toEqual(['a1', 'b1']);
    release[0]?.();
    await expect(a1).resolves.toBe('a1');
    await tick();
    expect(started).toEqual(['a1', 'b1', 'a2']);
    release[1]?.();
    release[2]?.();
    await Promise.all([a2, b1]);
    expect(limit.size).toBe(0);
  });

  it('frees the slot when a task throws', async () => {
    const limit = new PerKeyLimit(1);
    await expect(limit.run('a', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(limit.run('a', async () => 'next')).resolves.toBe('next');
  });
});
