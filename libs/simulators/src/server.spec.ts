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

describe('a simulator away', () => {
  it('resets every CRM request for the time asked and keeps what it stored', async () => {
    const tls = await generateTls();
    const seen = new Recorder<string>();
    const sim = await startSimulator(
      {
        name: 'echo',
        register: (s) => s.post('/thing', async () => (seen.add('x'), { ok: true })),
        state: () => ({ stored: seen.all().length }),
        reset: () => seen.reset(),
      },
      tls,
      { host: '127.0.0.1', port: 0 },
    );
    const dispatcher = new Agent({ connect: { ca: tls.caPem } });
    const post = (path: string, body = '{}') =>
      undiciFetch(`${sim.url}${path}`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json' },
        dispatcher,
      });
    try {
      expect((await post('/thing')).status).toBe(200);
      await post('/_away', JSON.stringify({ ms: 300 }));
      await expect(post('/thing')).rejects.toThrow();
      await new Promise((r) => setTimeout(r, 350));
      expect((await post('/thing')).status).toBe(200);
      expect(await (await undiciFetch(`${sim.url}/_state`, { dispatcher })).json()).toEqual({ stored: 2 });
    } finally {
      await sim.close();
    }
  });
});
