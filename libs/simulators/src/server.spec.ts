import { Agent, fetch as undiciFetch } from 'undici';
import { generateTls } from '@leadflow/local-infra';
import { Recorder, startSimulator, type SimulatorApp } from './index';

describe('simulator server', () => {
  it('serves a simulator over HTTPS with a certificate that verifies against the run CA only', async () => {
    const tls = await generateTls();
    const seen = new Recorder<{ body: unknown }>();
    const app: SimulatorApp = {
      name: 'echo',
      register: (s) => {
        s.post('/thing', async (req) => {
          seen.add({ body: req.body });
          return { ok: true };
        });
      },
      state: () => ({ received: seen.all() }),
      reset: () => seen.reset(),
    };
    const sim = await startSimulator(app, tls, { host: '127.0.0.1', port: 0 });
    try {
      const trusted = new Agent({ connect: { ca: tls.caPem } });
      const form = await undiciFetch(`${sim.url}/thing`, {
        method: 'POST',
        body: 'a=1&b=two',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        dispatcher: trusted,
      });
      expect(form.status).toBe(200);
      const state = (await (await undiciFetch(`${sim.url}/_state`, { dispatcher: trusted })).json()) as {
        received: { body: unknown }[];
      };
      expect(state.received).toEqual([{ body: { a: '1', b: 'two' } }]);
      // Without the run's CA the certificate does not verify: nothing here turns verification off.
      await expect(undiciFetch(`${sim.url}/healthz`, { dispatcher: new Agent() })).rejects.toThrow();
    } finally {
      await sim.close();
    }
  });
});
