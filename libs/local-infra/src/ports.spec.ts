import { createServer } from 'node:net';
import { freePorts, pickRange } from './ports';

describe('freePorts', () => {
  it('gives distinct ports below the ephemeral range that a server can bind', async () => {
    const ports = await freePorts(20);
    expect(new Set(ports).size).toBe(20);
    for (const p of ports) expect(p).toBeLessThan(32_768);
    const servers = await Promise.all(
      ports.map(
        (p) =>
          new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
            const s = createServer();
            s.once('error', reject);
            s.listen(p, '127.0.0.1', () => resolve(s));
          }),
      ),
    );
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  });

  it('never gives a port that is taken', async () => {
    const taken = await freePorts(1);
    const holder = createServer();
    await new Promise<void>((r) => holder.listen(taken[0], '127.0.0.1', () => r()));
    try {
      for (let i = 0; i < 5; i++) expect(await freePorts(50)).not.toContain(taken[0]);
    } finally {
      await new Promise((r) => holder.close(r));
    }
  });

  it("picks from this jest worker's own slice", async () => {
    const { from, to } = pickRange();
    for (const p of await freePorts(20)) expect([from <= p, p < to]).toEqual([true, true]);
  });
});

describe('pickRange', () => {
  it('gives jest workers disjoint slices below the ephemeral range, and everything else one of its own', () => {
    const ranges = [{}, ...['1', '2', '3', '4'].map((id) => ({ JEST_WORKER_ID: id }))].map((env) => pickRange(env));
    const sorted = [...ranges].sort((a, b) => a.from - b.from);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i]?.from).toBeGreaterThanOrEqual(sorted[i - 1]?.to ?? 0);
    for (const r of ranges)
      expect([r.to - r.from >= 3_000, r.from >= 1_024, r.to <= 32_768]).toEqual([true, true, true]);
    // A fifth worker shares the first worker's slice rather than leaving the range.
    expect(pickRange({ JEST_WORKER_ID: '5' })).toEqual(pickRange({ JEST_WORKER_ID: '1' }));
  });
});
