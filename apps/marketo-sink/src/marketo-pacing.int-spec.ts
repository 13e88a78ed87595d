import { Registry } from 'prom-client';
import {
  marketoSimulator,
  startSimulator,
  type MarketoSimulatorState,
  type StartedSimulator,
} from '@leadflow/simulators';
import { testLead } from '@leadflow/sink-testing';
import { testTls } from '@leadflow/testing';
import { MARKETO_DEFAULT_LIMITS } from './marketo-pacer';
import { marketoSink } from './marketo.sink';

/**
 * Submit Form takes one lead per call, so 130 leads of a form offer are 130 calls: more than Marketo's 100 per 20 s,
 * at once. The pacer spreads them so the simulator, which enforces the limits per Munchkin ID, refuses none.
 */
describe('marketo sink pacing against the Marketo simulator', () => {
  let sim: StartedSimulator;

  beforeAll(async () => {
    // Calls that take a while, so that many are in flight at once (the concurrency limit matters).
    sim = await startSimulator(marketoSimulator({ latencyMs: 40 }), testTls(), { host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('makes more than 100 calls in 20 s without a 606 or a 615', async () => {
    const registry = new Registry();
    const sink = marketoSink({ limits: MARKETO_DEFAULT_LIMITS, registry });
    const munchkinId = '130-PCE-130';
    const leads = Array.from({ length: 130 }, () => testLead('contoso.paced'));
    const started = Date.now();
    const outcomes = await sink.deliverBatch(
      leads,
      {
        type: 'marketo',
        munchkinId,
        clientId: 'leadflow-service',
        clientSecret: 'a-client-secret',
        baseUrl: `${sim.url}/${munchkinId}`,
        formId: 1179,
      },
      { signal: AbortSignal.timeout(50_000), attempts: leads.map(() => 1) },
    );
    const tookMs = Date.now() - started;
    expect(outcomes.filter((o) => o.ok)).toHaveLength(130);
    const state = (await (await fetch(`${sim.url}/_state`)).json()) as MarketoSimulatorState;
    const instance = state.munchkins[munchkinId];
    expect(instance?.calls.submitForm).toBe(130);
    expect(instance?.answered).toEqual({});
    expect(instance?.maxConcurrent).toBeLessThanOrEqual(10);
    expect(instance?.formFills).toHaveLength(130);
    // The 101st call had to wait for the window: the pacer, not Marketo's refusals, did the waiting.
    expect(tookMs).toBeGreaterThanOrEqual(20_000);
    expect(await registry.getSingleMetricAsString('leadflow_marketo_throttled_total')).not.toMatch(/\} \d/);
  }, 60_000);
});
