import { Registry } from 'prom-client';
import { isLeadflowError, type DestinationOf } from '@leadflow/lead-model';
import {
  createSalesforceSimulator,
  SALESFORCE_SCENARIOS as S,
  startSimulator,
  type SalesforceSimulatorState,
  type StartedSimulator,
} from '@leadflow/simulators';
import { sinkFixture, testLead, type SinkFixture } from '@leadflow/sink-testing';
import { testTls } from '@leadflow/testing';
import { nextUtcMidnight } from './daily-quota';
import { salesforceSink } from './salesforce.sink';

type Destination = DestinationOf<'salesforce'>;

describe('salesforce-sink, Web-to-Lead mode, against the Salesforce simulator', () => {
  let sim: StartedSimulator;
  const state = async () => (await (await fetch(`${sim.url}/_state`)).json()) as SalesforceSimulatorState;
  const webToLead = (orgId: string): Destination => ({
    type: 'salesforce',
    mode: 'web-to-lead',
    orgId,
    webToLeadUrl: `${sim.url}/servlet/servlet.WebToLead?encoding=UTF-8`,
  });

  beforeAll(async () => {
    sim = await startSimulator(createSalesforceSimulator(), testTls(), { host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await sim.close();
  });

  describe('through Kafka', () => {
    let fx: SinkFixture<'salesforce'>;

    beforeAll(async () => {
      fx = await sinkFixture({ type: 'salesforce', sink: salesforceSink({ registry: new Registry() }) });
      await fx.configure('contoso.w2l-ok', webToLead(S.orgs.ok));
      await fx.configure('contoso.w2l-picklist', webToLead(S.orgs.restrictedPicklist));
      await fx.start();
    });
    afterAll(async () => {
      await fx.close();
    });

    it('posts the marketplace form and reports unconfirmed, even when Salesforce silently drops the lead', async () => {
      const ok = testLead('contoso.w2l-ok');
      const trapped = testLead('contoso.w2l-picklist');
      await fx.send([ok, trapped]);
      const receipts = await fx.receipts(2);
      expect(receipts.map((r) => [r.leadId, r.unconfirmed, r.externalId])).toEqual(
        expect.arrayContaining([
          [ok.leadId, true, undefined],
          [trapped.leadId, true, undefined],
        ]),
      );
      const s = await state();
      expect(s.leads.filter((l) => l.fields['Email'] === ok.customer.email)).toEqual([
        expect.objectContaining({
          org: S.orgs.ok,
          via: 'web-to-lead',
          fields: {
            FirstName: ok.customer.firstName,
            LastName: 'Doe',
            Email: ok.customer.email,
            Company: 'Fabrikam',
            Phone: '+1 425 555 0100',
            Title: 'CTO',
            Country: 'US',
            Description: 'Wants a demo',
            LeadSource: 'AzureMarketplace-INS|contoso.w2l-ok',
          },
        }),
      ]);
      // The restricted Lead Source picklist: Salesforce answered as usual and created nothing.
      expect(s.dropped.filter((d) => d.fields['Email'] === trapped.customer.email)).toEqual([
        expect.objectContaining({ org: S.orgs.restrictedPicklist, reason: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST' }),
      ]);
    }, 60_000);
  });

  describe('the daily limit', () => {
    it('holds back the leads past the limit until the next 00:00 UTC without posting them', async () => {
      const registry = new Registry();
      let now = Date.UTC(2026, 4, 20, 17, 30);
      const sink = salesforceSink({ registry, webToLeadDailyLimit: 2, now: () => now });
      const third = testLead('contoso.w2l-limit');
      const leads = [testLead('contoso.w2l-limit'), testLead('contoso.w2l-limit'), third];
      const before = await state();
      const outcomes = await sink.deliverBatch(leads, webToLead(S.orgs.ok), {
        signal: new AbortController().signal,
        attempts: [1, 1, 1],
      });
      expect(outcomes.slice(0, 2)).toEqual([
        { ok: true, unconfirmed: true },
        { ok: true, unconfirmed: true },
      ]);
      const refused = outcomes[2];
      const error = refused && !refused.ok && isLeadflowError(refused.error) ? refused.error : undefined;
      expect([error?.code, error?.category, error?.waitUntil]).toEqual([
        'SALESFORCE.DAILY_LIMIT',
        'transient',
        nextUtcMidnight(now),
      ]);
      expect(error?.waitUntil).toBe(Date.UTC(2026, 4, 21));
      const waitUntil = error?.waitUntil ?? 0;
      const after = await state();
      expect((after.callsBy[`webToLead:${S.orgs.ok}`] ?? 0) - (before.callsBy[`webToLead:${S.orgs.ok}`] ?? 0)).toBe(2);
      expect(after.leads.some((l) => l.fields['Email'] === third.customer.email)).toBe(false);

      // Retried the same day it waits again, and counts once among the waiting leads.
      const again = await sink.deliverBatch([third], webToLead(S.orgs.ok), {
        signal: new AbortController().signal,
        attempts: [2],
      });
      expect(again[0]?.ok).toBe(false);
      expect(await registry.getSingleMetricAsString('leadflow_salesforce_daily_limit_waiting_leads')).toMatch(/ 1$/m);
      expect(await registry.getSingleMetricAsString('leadflow_salesforce_web_to_lead_posts_total')).toContain(
        'result="answered"} 2',
      );

      // From 00:00 UTC the org has a new day's requests: the waiting lead goes.
      now = waitUntil;
      const nextDay = await sink.deliverBatch([third], webToLead(S.orgs.ok), {
        signal: new AbortController().signal,
        attempts: [3],
      });
      expect(nextDay).toEqual([{ ok: true, unconfirmed: true }]);
      expect(await registry.getSingleMetricAsString('leadflow_salesforce_daily_limit_waiting_leads')).toMatch(/ 0$/m);
    });
  });
});
