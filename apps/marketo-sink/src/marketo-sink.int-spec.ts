import { randomInt } from 'node:crypto';
import { Registry } from 'prom-client';
import { Headers, type DestinationOf, type Lead } from '@leadflow/lead-model';
import {
  MARKETO_SCENARIOS as S,
  marketoSimulator,
  startSimulator,
  type MarketoSimulatorState,
  type StartedSimulator,
} from '@leadflow/simulators';
import { sinkFixture, testLead, type SinkFixture } from '@leadflow/sink-testing';
import { testTls } from '@leadflow/testing';
import { MARKETO_DEFAULT_LIMITS, nextQuotaReset } from './marketo-pacer';
import { marketoSink } from './marketo.sink';

type MarketoDestination = DestinationOf<'marketo'>;

const newMunchkin = () => `${randomInt(100, 999)}-TST-${randomInt(100, 999)}`;

describe('marketo sink against the Marketo simulator', () => {
  let sim: StartedSimulator;
  const dest = (munchkinId: string, extra: Partial<MarketoDestination> = {}): MarketoDestination => ({
    type: 'marketo',
    munchkinId,
    clientId: 'leadflow-service',
    clientSecret: 'a-client-secret',
    baseUrl: `${sim.url}/${munchkinId}`,
    ...extra,
  });
  const state = async (munchkinId: string) => {
    const all = (await (await fetch(`${sim.url}/_state`)).json()) as MarketoSimulatorState;
    return all.munchkins[munchkinId.toUpperCase()];
  };
  const withEmail = (offerId: string, email: string, customer: Partial<Lead['customer']> = {}) => {
    const l = testLead(offerId);
    return { ...l, customer: { ...l.customer, email, ...customer } };
  };

  beforeAll(async () => {
    sim = await startSimulator(marketoSimulator(), testTls(), { host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await sim.close();
  });

  describe('through Kafka', () => {
    let fx: SinkFixture<'marketo'>;
    const ok = newMunchkin();
    const form = newMunchkin();
    const expiring = newMunchkin();

    beforeAll(async () => {
      fx = await sinkFixture({
        type: 'marketo',
        // One instance, never another before it: no previous owner's calls to wait out.
        sink: marketoSink({ limits: MARKETO_DEFAULT_LIMITS, registry: new Registry(), handoverMs: 0 }),
      });
      await fx.configure('contoso.sync', dest(ok));
      await fx.configure('contoso.form', dest(form, { formId: 1179 }));
      await fx.configure('contoso.expiring', dest(expiring, { clientId: S.clientId.tokenExpiresOnce }));
      await fx.configure('contoso.bad-client', dest(newMunchkin(), { clientId: S.clientId.badClient }));
      await fx.configure('contoso.token-invalid', dest(newMunchkin(), { clientId: S.clientId.tokenInvalid }));
      await fx.configure('contoso.denied', dest(newMunchkin(), { clientId: S.clientId.accessDenied }));
      await fx.configure('contoso.subscription', dest(S.munchkin.invalidSubscription));
      await fx.configure('contoso.no-title', dest(S.munchkin.titleFieldMissing));
      await fx.configure('contoso.duplicates', dest(newMunchkin()));
      await fx.configure('contoso.bad-value', dest(newMunchkin()));
      await fx.configure('contoso.bad-data', dest(newMunchkin()));
      await fx.configure('contoso.no-form', dest(newMunchkin(), { formId: S.formId.notFound }));
      await fx.configure('contoso.small-form', dest(newMunchkin(), { formId: S.formId.lackingFields }));
      await fx.configure('contoso.rate', dest(S.munchkin.rateLimited));
      await fx.configure('contoso.concurrency', dest(S.munchkin.concurrencyLimited));
      await fx.start();
    });
    afterAll(async () => {
      await fx.close();
    });

    it('delivers by Sync Leads and by Submit Form, and a repeat updates the same person', async () => {
      const a = testLead('contoso.sync');
      const b = testLead('contoso.form');
      const c = testLead('contoso.expiring');
      await fx.send([a, b, c]);
      await fx.send([a]); // the same lead again, as a replay after a crash would
      const receipts = await fx.receipts(4);
      const ids = receipts.filter((r) => r.leadId === a.leadId).map((r) => r.externalId);
      expect(ids).toHaveLength(2);
      expect(ids[0]).toBe(ids[1]);
      expect(receipts.map((r) => r.leadId).sort()).toEqual([a.leadId, a.leadId, b.leadId, c.leadId].sort());

      const synced = await state(ok);
      // One call or two: the runtime may batch the repeat with the first copy; either way one person, updated once.
      expect(synced?.calls.syncLeads).toBeGreaterThanOrEqual(1);
      expect(synced?.leads).toHaveLength(1);
      expect(synced?.leads[0]).toMatchObject({
        id: Number(ids[0]),
        updates: 1,
        fields: {
          email: a.customer.email,
          firstName: a.customer.firstName,
          lastName: 'Doe',
          company: 'Fabrikam',
          phone: '+1 425 555 0100',
          title: 'CTO',
          country: 'US',
          leadSource: 'AzureMarketplace-INS|contoso.sync',
        },
      });

      const filled = await state(form);
      expect([filled?.calls.submitForm, filled?.calls.syncLeads]).toEqual([1, 0]);
      expect(filled?.formFills).toEqual([
        {
          formId: 1179,
          leadId: Number(receipts.find((r) => r.leadId === b.leadId)?.externalId),
          fields: {
            email: b.customer.email,
            firstName: b.customer.firstName,
            lastName: 'Doe',
            company: 'Fabrikam',
            phone: '+1 425 555 0100',
            title: 'CTO',
            country: 'US',
          },
        },
      ]);

      // 602 once: the token was renewed and the call made again, and the lead delivered on its first attempt.
      const renewed = await state(expiring);
      expect(renewed?.tokenGrants).toHaveLength(2);
      expect(renewed?.answered).toEqual({ '602': 1 });
      expect(receipts.find((r) => r.leadId === c.leadId)?.attempts).toBe(1);
    });

    it('dead-letters every class with its category, and no e-mail in the message', async () => {
      const leads: Record<string, Lead> = {
        'MARKETO.AUTH_FAILED bad client': testLead('contoso.bad-client'),
        'MARKETO.AUTH_FAILED token': testLead('contoso.token-invalid'),
        'MARKETO.ACCESS_DENIED': testLead('contoso.denied'),
        'MARKETO.INVALID_SUBSCRIPTION': testLead('contoso.subscription'),
        'MARKETO.FIELD_NOT_FOUND': testLead('contoso.no-title'),
        'MARKETO.MULTIPLE_LEADS_MATCH': withEmail('contoso.duplicates', `kim@${S.emailDomain.multipleMatch}`),
        'MARKETO.INVALID_DATA value': withEmail('contoso.bad-value', `kim@${S.emailDomain.invalidValue}`),
        'MARKETO.INVALID_DATA data': withEmail('contoso.bad-data', `kim@${S.emailDomain.invalidData}`),
        'MARKETO.FORM_NOT_FOUND missing': testLead('contoso.no-form'),
        'MARKETO.FORM_NOT_FOUND field': testLead('contoso.small-form'),
        'MARKETO.QUOTA_EXCEEDED 606': testLead('contoso.rate'),
        'MARKETO.QUOTA_EXCEEDED 615': testLead('contoso.concurrency'),
      };
      await fx.send(Object.values(leads));
      const dead = await fx.deadLetters(Object.keys(leads).length, { timeoutMs: 40_000 });
      const byLead = new Map(dead.map((d) => [d.headers[Headers.ceId], d.headers]));
      const got = Object.fromEntries(
        Object.entries(leads).map(([name, l]) => {
          const h = byLead.get(l.leadId);
          return [name, `${h?.[Headers.errorClass]} ${h?.[Headers.errorCategory]}`];
        }),
      );
      expect(got).toEqual({
        'MARKETO.AUTH_FAILED bad client': 'MARKETO.AUTH_FAILED configuration',
        'MARKETO.AUTH_FAILED token': 'MARKETO.AUTH_FAILED configuration',
        'MARKETO.ACCESS_DENIED': 'MARKETO.ACCESS_DENIED configuration',
        'MARKETO.INVALID_SUBSCRIPTION': 'MARKETO.INVALID_SUBSCRIPTION configuration',
        'MARKETO.FIELD_NOT_FOUND': 'MARKETO.FIELD_NOT_FOUND configuration',
        'MARKETO.MULTIPLE_LEADS_MATCH': 'MARKETO.MULTIPLE_LEADS_MATCH configuration',
        'MARKETO.INVALID_DATA value': 'MARKETO.INVALID_DATA data',
        'MARKETO.INVALID_DATA data': 'MARKETO.INVALID_DATA data',
        'MARKETO.FORM_NOT_FOUND missing': 'MARKETO.FORM_NOT_FOUND configuration',
        'MARKETO.FORM_NOT_FOUND field': 'MARKETO.FORM_NOT_FOUND configuration',
        'MARKETO.QUOTA_EXCEEDED 606': 'MARKETO.QUOTA_EXCEEDED transient-exhausted',
        'MARKETO.QUOTA_EXCEEDED 615': 'MARKETO.QUOTA_EXCEEDED transient-exhausted',
      });
      for (const d of dead) {
        const message = d.headers[Headers.errorMessage] ?? '';
        expect(message).not.toMatch(/@/);
        expect(message).not.toContain('a-client-secret');
      }
      expect(byLead.get(leads['MARKETO.INVALID_DATA value']?.leadId)?.[Headers.errorMessage]).toBe(
        "Marketo Sync Leads skipped the record: 1001 Invalid value '***'. Required of type 'email'",
      );
      // 601 is retried once with a renewed token before it counts as a wrong client.
      const tokenInvalid = leads['MARKETO.AUTH_FAILED token'];
      expect(byLead.get(tokenInvalid?.leadId)?.[Headers.attempts]).toBe('1');
    }, 60_000);
  });

  describe('deliverBatch', () => {
    const sink = () => marketoSink({ limits: MARKETO_DEFAULT_LIMITS, registry: new Registry() });
    const ctx = (n: number) => ({ signal: AbortSignal.timeout(30_000), attempts: Array.from({ length: n }, () => 1) });

    it('delivers the good records of a batch when one is skipped', async () => {
      const registry = new Registry();
      const s = marketoSink({ limits: MARKETO_DEFAULT_LIMITS, registry });
      const m = newMunchkin();
      const leads = [
        testLead('contoso.batch'),
        testLead('contoso.batch'),
        withEmail('contoso.batch', `x@${S.emailDomain.invalidData}`),
        testLead('contoso.batch'),
        testLead('contoso.batch'),
      ];
      const outcomes = await s.deliverBatch(leads, dest(m), ctx(leads.length));
      expect(outcomes.map((o) => o.ok)).toEqual([true, true, false, true, true]);
      const bad = outcomes[2];
      expect(bad && !bad.ok ? s.classify(bad.error).code : undefined).toBe('MARKETO.INVALID_DATA');
      const st = await state(m);
      expect(st?.calls).toEqual({ identity: 1, syncLeads: 1, submitForm: 0 });
      expect(st?.leads.map((l) => l.email).sort()).toEqual(
        [leads[0], leads[1], leads[3], leads[4]].map((l) => l?.customer.email).sort(),
      );
      const metrics = await registry.getSingleMetricAsString('leadflow_marketo_calls_total');
      expect(metrics).toContain(`leadflow_marketo_calls_total{endpoint="syncLeads",munchkin_id="${m}"} 1`);
      expect(await registry.getSingleMetricAsString('leadflow_marketo_daily_quota_used')).toContain(
        `leadflow_marketo_daily_quota_used{munchkin_id="${m.toUpperCase()}"} 1`,
      );
    });

    it('sends 1,000 leads of one offer in 4 calls of at most 300', async () => {
      const s = sink();
      const m = newMunchkin();
      const leads = Array.from({ length: 1000 }, () => testLead('contoso.bulk'));
      const batches = [0, 300, 600, 900].map((from) => leads.slice(from, from + 300));
      const outcomes = (await Promise.all(batches.map((b) => s.deliverBatch(b, dest(m), ctx(b.length))))).flat();
      expect(outcomes.filter((o) => o.ok)).toHaveLength(1000);
      const st = await state(m);
      expect(st?.calls).toEqual({ identity: 1, syncLeads: 4, submitForm: 0 });
      expect(st?.leads).toHaveLength(1000);
      // A batch larger than Marketo's 300 is cut into calls too.
      const m2 = newMunchkin();
      await s.deliverBatch(leads, dest(m2), ctx(leads.length));
      expect((await state(m2))?.calls.syncLeads).toBe(4);
    });

    it('waits for the daily quota reset on 607 and calls no more until then', async () => {
      const s = sink();
      const leads = [testLead('contoso.daily'), testLead('contoso.daily')];
      const d = dest(S.munchkin.dailyQuotaReached);
      const before = Date.now();
      const [first] = await s.deliverBatch(leads, d, ctx(2));
      const error = first && !first.ok ? s.classify(first.error) : undefined;
      expect([error?.code, error?.retriable]).toEqual(['MARKETO.QUOTA_EXCEEDED', true]);
      expect(error?.waitUntil).toBe(nextQuotaReset(before));
      const calls = (await state(S.munchkin.dailyQuotaReached))?.calls.syncLeads;
      const [again] = await s.deliverBatch([testLead('contoso.daily')], d, ctx(1));
      expect(again && !again.ok ? s.classify(again.error).waitUntil : undefined).toBe(nextQuotaReset(before));
      expect((await state(S.munchkin.dailyQuotaReached))?.calls.syncLeads).toBe(calls);
    });

    it('settles a lead without an e-mail (PII suppressed) without calling Marketo', async () => {
      const s = sink();
      const m = newMunchkin();
      const l = testLead('contoso.edu');
      const suppressed: Lead = {
        ...l,
        piiSuppressed: true,
        customer: { ...l.customer, firstName: '', lastName: '', email: '', phone: undefined },
      };
      const outcomes = await s.deliverBatch([suppressed], dest(m), ctx(1));
      expect(outcomes).toEqual([{ ok: true }]);
      expect(await state(m)).toBeUndefined();
    });
  });
});
