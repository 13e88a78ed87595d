import { createServer } from 'node:net';
import { freePorts } from './ports';

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
});
