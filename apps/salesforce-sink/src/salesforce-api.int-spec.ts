import { Registry } from 'prom-client';
import { Headers, type DestinationOf, type Lead } from '@leadflow/lead-model';
import {
  createSalesforceSimulator,
  SALESFORCE_SCENARIOS as S,
  startSimulator,
  type SalesforceSimulatorState,
  type StartedSimulator,
} from '@leadflow/simulators';
import { sinkFixture, testLead, type SinkFixture } from '@leadflow/sink-testing';
import { testTls } from '@leadflow/testing';
import { classifySalesforce } from './salesforce.classifier';
import { salesforceSink } from './salesforce.sink';

type Destination = DestinationOf<'salesforce'>;

describe('salesforce-sink, API mode, against the Salesforce simulator', () => {
  let sim: StartedSimulator;
  const state = async () => (await (await fetch(`${sim.url}/_state`)).json()) as SalesforceSimulatorState;
  /** An API destination of the simulator's connected app `clientId`, with the consumer secret it accepts. */
  const api = (clientId: string, extra: Record<string, string> = {}): Destination =>
    ({
      type: 'salesforce',
      mode: 'api',
      loginUrl: sim.url,
      clientId,
      clientSecret: S.clientSecret,
      ...extra,
    }) as Destination;
  const byEmail = (s: SalesforceSimulatorState, lead: Lead) =>
    s.leads.filter((l) => l.fields['Email'] === lead.customer.email);

  beforeAll(async () => {
    sim = await startSimulator(createSalesforceSimulator(), testTls(), { host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await sim.close();
  });

  describe('through Kafka', () => {
    let fx: SinkFixture<'salesforce'>;
    const offers = {
      ok: 'contoso.sf-ok',
      password: 'contoso.sf-password',
      upsert: 'contoso.sf-upsert',
      session: 'contoso.sf-session',
      unknownClient: 'contoso.sf-unknown-client',
      badSecret: 'contoso.sf-bad-secret',
      badPassword: 'contoso.sf-bad-password',
      requiredField: 'contoso.sf-required',
      picklist: 'contoso.sf-picklist',
      validation: 'contoso.sf-validation',
      duplicate: 'contoso.sf-duplicate',
      apiLimit: 'contoso.sf-api-limit',
    };

    beforeAll(async () => {
      fx = await sinkFixture({ type: 'salesforce', sink: salesforceSink({ registry: new Registry() }) });
      await fx.configure(offers.ok, api(S.clients.ok));
      await fx.configure(offers.password, api(S.clients.ok, { username: S.username, password: S.password }));
      await fx.configure(offers.upsert, api(S.clients.ok, { externalIdField: 'LeadflowId__c' }));
      await fx.configure(offers.session, api(S.clients.sessionExpiresOnce));
      await fx.configure(offers.unknownClient, api(S.clients.unknown));
      await fx.configure(offers.badSecret, { ...api(S.clients.ok), clientSecret: 'not-the-secret' } as Destination);
      await fx.configure(offers.badPassword, api(S.clients.ok, { username: S.username, password: 'wrong-password' }));
      await fx.configure(offers.requiredField, api(S.clients.requiredField));
      await fx.configure(offers.picklist, api(S.clients.restrictedPicklist));
      await fx.configure(offers.validation, api(S.clients.validationRule));
      await fx.configure(offers.duplicate, api(S.clients.duplicateRule));
      await fx.configure(offers.apiLimit, api(S.clients.apiLimit));
      await fx.start();
    });
    afterAll(async () => {
      await fx.close();
    });

    it('delivers, upserts a repeat onto one record, refreshes an expired session once, and dead-letters each class', async () => {
      const ok = testLead(offers.ok);
      const viaPassword = testLead(offers.password);
      const upserted = testLead(offers.upsert);
      const session = testLead(offers.session);
      const failing = {
        unknownClient: testLead(offers.unknownClient),
        badSecret: testLead(offers.badSecret),
        badPassword: testLead(offers.badPassword),
        requiredField: testLead(offers.requiredField),
        picklist: testLead(offers.picklist),
        validation: testLead(offers.validation),
        duplicate: testLead(offers.duplicate),
        apiLimit: testLead(offers.apiLimit),
      };
      await fx.send([ok, viaPassword, upserted, session, ...Object.values(failing)]);
      // The same lead again (a replay, or a crash before the commit): the external id makes it an update.
      await fx.send([upserted]);

      const receipts = await fx.receipts(5);
      const receipt = (l: Lead) => receipts.filter((r) => r.leadId === l.leadId);
      expect(receipt(ok)).toEqual([
        expect.objectContaining({ destination: 'salesforce', attempts: 1, externalId: expect.stringMatching(/^00Q/) }),
      ]);
      expect(receipt(ok)[0]?.unconfirmed).toBeUndefined();
      expect(receipt(viaPassword)).toHaveLength(1);
      expect(receipt(session)).toEqual([expect.objectContaining({ attempts: 1 })]);
      const upserts = receipt(upserted);
      expect(upserts).toHaveLength(2);
      expect(upserts[0]?.externalId).toBe(upserts[1]?.externalId);

      const dead = await fx.deadLetters(Object.keys(failing).length);
      const cls = (l: Lead) => {
        const d = dead.find((r) => r.headers[Headers.ceId] === l.leadId);
        return [d?.headers[Headers.errorClass], d?.headers[Headers.errorCategory]];
      };
      expect(cls(failing.unknownClient)).toEqual(['SALESFORCE.AUTH_INVALID_CLIENT', 'configuration']);
      expect(cls(failing.badSecret)).toEqual(['SALESFORCE.AUTH_INVALID_CLIENT', 'configuration']);
      expect(cls(failing.badPassword)).toEqual(['SALESFORCE.AUTH_FAILED', 'configuration']);
      expect(cls(failing.requiredField)).toEqual(['SALESFORCE.REQUIRED_FIELD_MISSING', 'configuration']);
      expect(cls(failing.picklist)).toEqual(['SALESFORCE.RESTRICTED_PICKLIST', 'configuration']);
      expect(cls(failing.validation)).toEqual(['SALESFORCE.VALIDATION_RULE', 'configuration']);
      expect(cls(failing.duplicate)).toEqual(['SALESFORCE.DUPLICATE_RULE', 'configuration']);
      expect(cls(failing.apiLimit)).toEqual(['SALESFORCE.API_LIMIT', 'transient-exhausted']);
      const picklistDl = dead.find((r) => r.headers[Headers.ceId] === failing.picklist.leadId);
      expect(picklistDl?.headers[Headers.errorMessage]).toContain(
        `bad value for restricted picklist field: AzureMarketplace-INS|${offers.picklist}`,
      );
      // Nothing personal or secret in any dead letter's error headers.
      for (const d of dead) {
        const text = JSON.stringify(Object.entries(d.headers).filter(([k]) => k.startsWith('leadflow.')));
        expect(text).not.toMatch(/fabrikam\.example|Kim[0-9a-z]{6,}|555 0100|sim-consumer-secret|sim-password/);
      }

      const s = await state();
      expect(byEmail(s, ok)).toEqual([
        expect.objectContaining({
          via: 'sobject',
          org: S.clients.ok,
          fields: {
            FirstName: ok.customer.firstName,
            LastName: 'Doe',
            Email: ok.customer.email,
            Company: 'Fabrikam',
            Phone: '+1 425 555 0100',
            Title: 'CTO',
            Country: 'US',
            Description: 'Wants a demo',
            LeadSource: `AzureMarketplace-INS|${offers.ok}`,
          },
        }),
      ]);
      expect(byEmail(s, viaPassword)).toHaveLength(1);
      expect(byEmail(s, upserted)).toEqual([
        expect.objectContaining({
          via: 'upsert',
          updates: 1,
          fields: expect.objectContaining({ LeadflowId__c: upserted.leadId }),
        }),
      ]);
      expect(byEmail(s, session)).toHaveLength(1);
      expect(s.grants.filter((g) => g.clientId === S.clients.sessionExpiresOnce).map((g) => g.result)).toEqual([
        'issued',
        'issued',
      ]);
      expect(s.grants.filter((g) => g.grantType === 'password' && g.result === 'issued')).toHaveLength(1);
      for (const l of Object.values(failing)) expect(byEmail(s, l)).toEqual([]);
    }, 60_000);
  });

  describe('deliverBatch', () => {
    const ctx = (n: number, attempt = 1) => ({
      signal: new AbortController().signal,
      attempts: Array(n).fill(attempt),
    });

    it('writes a batch in one sObject Collections call and fails only the bad record', async () => {
      const sink = salesforceSink({ registry: new Registry() });
      const offer = 'contoso.sf-batch';
      const rejected = testLead(offer);
      const leads = [
        testLead(offer),
        { ...rejected, customer: { ...rejected.customer, title: S.rejectedTitle } },
        testLead(offer),
      ];
      const before = await state();
      const outcomes = await sink.deliverBatch(leads, api(S.clients.ok), ctx(3));
      expect(outcomes.map((o) => o.ok)).toEqual([true, false, true]);
      const bad = outcomes[1];
      const error = bad && !bad.ok ? classifySalesforce(bad.error) : undefined;
      expect([error?.code, error?.message]).toEqual([
        'SALESFORCE.VALIDATION_RULE',
        'FIELD_CUSTOM_VALIDATION_EXCEPTION: Title is not an accepted job title.',
      ]);
      const after = await state();
      expect(after.calls.collection - before.calls.collection).toBe(1);
      expect(after.calls.sobject - before.calls.sobject).toBe(0);
      const stored = leads.map((l) => byEmail(after, l).map((r) => r.id));
      expect(stored).toEqual([
        [(outcomes[0] as { externalId: string }).externalId],
        [],
        [(outcomes[2] as { externalId: string }).externalId],
      ]);
    });

    it('writes 1,000 leads of one offer in 5 collection calls of 200', async () => {
      const registry = new Registry();
      const sink = salesforceSink({ registry });
      const offer = 'contoso.sf-thousand';
      const leads = Array.from({ length: 1_000 }, () => testLead(offer));
      const before = await state();
      const outcomes = [];
      for (let i = 0; i < leads.length; i += sink.batch.maxSize) {
        const chunk = leads.slice(i, i + sink.batch.maxSize);
        outcomes.push(...(await sink.deliverBatch(chunk, api(S.clients.ok), ctx(chunk.length))));
      }
      const after = await state();
      expect(outcomes.filter((o) => o.ok)).toHaveLength(1_000);
      expect(
        (after.callsBy[`collection:${S.clients.ok}`] ?? 0) - (before.callsBy[`collection:${S.clients.ok}`] ?? 0),
      ).toBe(5);
      expect(after.leads.length - before.leads.length).toBe(1_000);
      const calls = await registry.getSingleMetricAsString('leadflow_salesforce_api_calls_total');
      expect(calls).toContain('endpoint="collection",result="ok"} 5');
      expect(calls).toContain('endpoint="token",result="ok"} 1');
    });

    it('counts a repeat without an external id as a duplicate risk, and not with one', async () => {
      const registry = new Registry();
      const sink = salesforceSink({ registry });
      const lead = testLead('contoso.sf-repeat');
      await sink.deliverBatch([lead], api(S.clients.ok), ctx(1, 2));
      await sink.deliverBatch([lead], api(S.clients.ok, { externalIdField: 'LeadflowId__c' }), ctx(1, 2));
      expect(await registry.getSingleMetricAsString('leadflow_salesforce_duplicate_risk_total')).toMatch(/ 1$/m);
    });
  });
});
