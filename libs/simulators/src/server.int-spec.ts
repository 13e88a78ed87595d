import { testTls } from '@leadflow/testing';
import { Recorder, startSimulator } from './index';

describe('simulators in the integration run', () => {
  it('are trusted by plain fetch through the run CA (no TLS option anywhere)', async () => {
    const seen = new Recorder<string>();
    const sim = await startSimulator(
      {
        name: 'ping',
        register: (s) => s.get('/ping', async () => (seen.add('ping'), { pong: true })),
        state: () => ({ pings: seen.all().length }),
        reset: () => seen.reset(),
      },
      testTls(),
      { host: '127.0.0.1', port: 0 },
    );
    try {
      expect(await (await fetch(`${sim.url}/ping`)).json()).toEqual({ pong: true });
      expect(await (await fetch(`${sim.url}/_state`)).json()).toEqual({ pings: 1 });
    } finally {
      await sim.close();
    }
  });
});
