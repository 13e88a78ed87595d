import { collectDefaultMetrics, Registry } from 'prom-client';
import { registerEventLoopMetrics } from './event-loop';
import { createMetricsRegistry } from './index';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Keeps the loop busy: `blocks` synchronous stretches of `ms`, each followed by one turn of the loop. */
async function blockLoop(blocks: number, ms: number): Promise<void> {
  for (let i = 0; i < blocks; i++) {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      // busy
    }
    await new Promise((r) => setImmediate(r));
  }
}

async function p99Seconds(registry: Registry): Promise<number> {
  const metrics = await registry.getMetricsAsJSON();
  const p99 = metrics.find((m) => m.name === 'nodejs_eventloop_lag_p99_seconds');
  return Number(p99?.values[0]?.value);
}

describe('event-loop metrics', () => {
  it('exports the same series as prom-client’s default metrics', async () => {
    const ours = createMetricsRegistry('test');
    const theirs = new Registry();
    collectDefaultMetrics({ register: theirs });
    const names = async (r: Registry) => (await r.getMetricsAsJSON()).map((m) => m.name).sort();
    expect(await names(ours)).toEqual(await names(theirs));
  });

  it('measures a blocked loop, stops sampling while the loop idles, and starts again with work', async () => {
    const registry = new Registry();
    const stop = registerEventLoopMetrics(registry, { checkEveryMs: 200 });
    try {
      await blockLoop(12, 40);
      expect(await p99Seconds(registry)).toBeGreaterThanOrEqual(0.035);

      // Idle: after a check has seen it, the 10 ms timer is off and a window records nothing (an always-on timer
      // would read ~10 ms here).
      await sleep(500);
      await p99Seconds(registry);
      await sleep(500);
      expect(await p99Seconds(registry)).toBe(0);

      await blockLoop(12, 40);
      expect(await p99Seconds(registry)).toBeGreaterThanOrEqual(0.035);
    } finally {
      stop();
    }
  });
});
