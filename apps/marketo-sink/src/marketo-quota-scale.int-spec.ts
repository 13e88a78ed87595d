import { randomInt } from 'node:crypto';
import { Registry } from 'prom-client';
import { quotaAccount, type DestinationOf, type Lead } from '@leadflow/lead-model';
import {
  marketoSimulator,
  startSimulator,
  type MarketoSimulatorState,
  type StartedSimulator,
} from '@leadflow/simulators';
import { sinkFixture, testLead, type SinkFixture } from '@leadflow/sink-testing';
import { testTls } from '@leadflow/testing';
import type { PacerLimits } from './marketo-pacer';
import { marketoSink } from './marketo.sink';

/**
 * Marketo's limits per Munchkin ID held while the sink runs as 1, 2 and 3 instances, the count changing under load,
 * each instance with its own pacer as separate processes have. Route records are keyed by Munchkin ID (as the router
 * keys them), so one instance at a time owns an account; an instance that gains partitions holds their leads for
 * the window and a margin before its first call. Counted where Marketo counts: the simulator, which answers 606 past
 * the window's calls and 615 past 10 running calls.
 * Marketo's window is 100 calls in 20 s; here it is 25 in 5 s (the same rule, a quarter of the time; the pacer's unit
 * tests use the real figures), so that each instance count lasts several windows and handovers within one test.
 */
const LIMITS: PacerLimits = { callsPerWindow: 25, windowMs: 5_000, maxConcurrent: 10, dailyQuota: 50_000 };

describe('Marketo quotas at any instance count', () => {
  let sim: StartedSimulator;
  let fx: SinkFixture<'marketo'>;
  const munchkins = Array.from({ length: 2 }, () => `${randomInt(100, 999)}-SCL-${randomInt(100, 999)}`);
  // Two offers per Munchkin ID: keyed by offer they could land on two instances at once; keyed by account, never.
  const offers = munchkins.flatMap((m, i) =>
    [`scale${i}.first`, `scale${i}.second`].map((offerId) => ({ offerId, m })),
  );
  const destinations = new Map<string, DestinationOf<'marketo'>>();
  const key = (l: Lead) => quotaAccount(destinations.get(l.offerId) as DestinationOf<'marketo'>) ?? l.offerId;
  const sink = (registry: Registry) => marketoSink({ limits: LIMITS, registry, handoverMs: LIMITS.windowMs + 1_000 });
  const registries = [new Registry(), new Registry(), new Registry()];

  beforeAll(async () => {
    // Calls that take a while, so that several run at once and the concurrency limit matters.
    sim = await startSimulator(
      marketoSimulator({
        latencyMs: 150,
        limits: {
          callsPerWindow: LIMITS.callsPerWindow,
          windowMs: LIMITS.windowMs,
          maxConcurrent: LIMITS.maxConcurrent,
        },
      }),
      testTls(),
      { host: '127.0.0.1', port: 0 },
    );
    fx = await sinkFixture({
      type: 'marketo',
      sink: sink(registries[0] as Registry),
      partitions: 6,
      limits: { attemptTimeoutMs: 15_000, sessionTimeoutMs: 10_000 },
      retry: { maxAttempts: 6, maxElapsedMs: 300_000 },
    });
    for (const { offerId, m } of offers) {
      // Submit Form: one lead per call, so 130 leads of an account are 130 calls, more than one window allows.
      const d: DestinationOf<'marketo'> = {
        type: 'marketo',
        munchkinId: m,
        clientId: 'leadflow-service',
        clientSecret: 'a-client-secret',
        baseUrl: `${sim.url}/${m}`,
        formId: 1179,
      };
      destinations.set(offerId, d);
      await fx.configure(offerId, d);
    }
  });
  afterAll(async () => {
    await fx?.close();
    await sim?.close();
  });

  it('never more than the window allows or 10 at once per Munchkin ID, zero 606 and 615, while instances come and go', async () => {
    const perOffer = 65;
    const leads = offers.flatMap(({ offerId }) => Array.from({ length: perOffer }, () => testLead(offerId)));
    const sendSlowly = async () => {
      // About 40 s of steady load, so that leads arrive under every instance count.
      for (let i = 0; i < leads.length; i += 13) {
        await fx.send(leads.slice(i, i + 13), key);
        await new Promise((r) => setTimeout(r, 2_000));
      }
    };
    const sending = sendSlowly();
    const phase = () => new Promise((r) => setTimeout(r, 10_000)); // longer than a handover (6 s)
    await fx.start(); // one instance
    await phase();
    const second = await fx.instance(sink(registries[1] as Registry)); // two
    await phase();
    const third = await fx.instance(sink(registries[2] as Registry)); // three
    await phase();
    await second.stop(5_000); // two again: its partitions move to the others
    await phase();
    await third.stop(5_000); // one again
    await sending;

    // Every lead delivered (a lead handed over may have a receipt from each owner: at-least-once).
    let delivered = 0;
    for (const deadline = Date.now() + 150_000; delivered < leads.length && Date.now() < deadline;) {
      const receipts = await fx.receipts(leads.length * 2, { timeoutMs: 10_000 });
      delivered = new Set(receipts.map((r) => r.leadId)).size;
    }
    expect(delivered).toBe(leads.length);
    expect(await fx.deadLetters(1, { timeoutMs: 1_000 })).toEqual([]);

    const state = (await (await fetch(`${sim.url}/_state`)).json()) as MarketoSimulatorState;
    for (const m of munchkins) {
      const at = state.munchkins[m.toUpperCase()];
      expect({ m, answered: at?.answered }).toEqual({ m, answered: {} }); // no 606, no 615, nothing else
      expect(at?.maxConcurrent).toBeLessThanOrEqual(LIMITS.maxConcurrent);
      expect(new Set(at?.formFills.map((f) => f.fields['email'])).size).toBe(perOffer * 2);
    }
    // More than one instance did the work (the count really changed under load).
    const calls = await Promise.all(
      registries.map(async (r) => {
        const text = await r.getSingleMetricAsString('leadflow_marketo_calls_total');
        return [...text.matchAll(/^leadflow_marketo_calls_total\{[^}]*\} (\d+)/gm)].reduce(
          (n, x) => n + Number(x[1]),
          0,
        );
      }),
    );
    expect(calls.filter((n) => n > 0).length).toBeGreaterThanOrEqual(2);
  }, 280_000);
});
