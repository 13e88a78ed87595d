import { randomUUID } from 'node:crypto';
import { Headers, type DestinationOf, type ErrorClass, type Lead } from '@leadflow/lead-model';
import { freePort } from '@leadflow/local-infra';
import {
  createDataverseSimulator,
  createEntraSimulator,
  DYNAMICS_SCENARIOS as S,
  startSimulator,
  type DataverseState,
  type EntraState,
  type StartedSimulator,
} from '@leadflow/simulators';
import { sinkFixture, testLead, type SinkFixture } from '@leadflow/sink-testing';
import { testTls } from '@leadflow/testing';
import { dynamicsSink } from './dynamics.sink';
import { EntraTokenProvider } from './entra-token.provider';

type Dynamics = DestinationOf<'dynamics'>;

let entra: StartedSimulator;
let dataverse: StartedSimulator;

beforeAll(async () => {
  entra = await startSimulator(createEntraSimulator(), testTls(), { host: '127.0.0.1', port: 0 });
  dataverse = await startSimulator(createDataverseSimulator(), testTls(), { host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await entra.close();
  await dataverse.close();
});

const state = async <T>(sim: StartedSimulator): Promise<T> => (await (await fetch(`${sim.url}/_state`)).json()) as T;

/** An instance path of its own per test (a scenario path, or a working instance), so counts do not mix. */
const url = (instance: string) => `${dataverse.url}/${instance}`;
const aad = (
  instance: string,
  over: Partial<{ tenantId: string; clientId: string; clientSecret: string }> = {},
): Dynamics => ({
  type: 'dynamics',
  url: url(instance),
  authorityHost: entra.url,
  auth: { kind: 'aad', tenantId: S.tenant.ok, clientId: S.client.ok, clientSecret: S.secret.ok, ...over },
});
const office365 = (instance: string, username: string = S.user.ok, password: string = S.password.ok): Dynamics => ({
  type: 'dynamics',
  url: url(instance),
  authorityHost: entra.url,
  auth: { kind: 'office365', username, password },
});

async function fixture(limits: { attemptTimeoutMs?: number } = {}): Promise<SinkFixture<'dynamics'>> {
  const tokens = new EntraTokenProvider({
    publicClientId: '51f81489-12ee-4a9e-aaae-a2591f45987d',
    timeoutMs: 5_000,
    maxClients: 100,
  });
  return sinkFixture({ type: 'dynamics', sink: dynamicsSink(tokens), limits });
}

const unique = (name: string) => `${name}-${randomUUID().slice(0, 8)}`;

describe('dynamics-sink (real Kafka, Entra ID and Dataverse simulators, real msal-node)', () => {
  it('creates the mapped lead by both sign-in kinds, with the leadid as external id', async () => {
    const f = await fixture();
    try {
      const appInstance = unique('contoso-app');
      const userInstance = unique('contoso-user');
      await f.configure('contoso.app', aad(appInstance));
      await f.configure('contoso.user', office365(userInstance));
      await f.start();
      const byApp = testLead('contoso.app', { offerTitle: 'Contoso CRM Connector', action: 'PLT' });
      const byUser = testLead('contoso.user');
      await f.send([byApp, byUser]);

      const receipts = await f.receipts(2);
      expect(receipts.map((r) => [r.leadId, r.externalId, r.destination]).sort()).toEqual(
        [
          [byApp.leadId, byApp.leadId, 'dynamics'],
          [byUser.leadId, byUser.leadId, 'dynamics'],
        ].sort(),
      );
      const dv = await state<DataverseState>(dataverse);
      const app = dv.leads.find((l) => l.instance === appInstance);
      const c = byApp.customer;
      expect(app?.createdBy).toBe(S.client.ok);
      expect(app?.fields).toEqual({
        leadid: byApp.leadId,
        subject: 'Contoso CRM Connector - PLT',
        firstname: c.firstName,
        lastname: c.lastName,
        emailaddress1: c.email,
        telephone1: c.phone,
        companyname: c.company,
        jobtitle: c.title,
        address1_country: c.country,
        description: 'Wants a demo\n\nAzureMarketplace-PLT|contoso.app',
      });
      const user = dv.leads.find((l) => l.instance === userInstance);
      expect(user?.createdBy).toBe(S.user.ok);
      expect(user?.fields['emailaddress1']).toBe(byUser.customer.email);
      // The simulator's host is not a public cloud: msal-node trusted it without the public instance discovery.
      expect((await state<EntraState>(entra)).instanceDiscoveryRequests).toBe(0);
    } finally {
      await f.close();
    }
  });

  it('dead-letters every class with the full header set, the service message and no secret or PII', async () => {
    const f = await fixture({ attemptTimeoutMs: 3_000 });
    const closedPort = await freePort();
    const cases: [string, Dynamics, ErrorClass, string][] = [
      [
        'tenant-404',
        aad(S.instance.ok, { tenantId: S.tenant.notFound }),
        'DYNAMICS.AAD_TENANT_NOT_FOUND',
        'configuration',
      ],
      [
        'tenant-bad',
        aad(S.instance.ok, { tenantId: S.tenant.malformed }),
        'DYNAMICS.AAD_INVALID_TENANT_ID',
        'configuration',
      ],
      ['app-404', aad(S.instance.ok, { clientId: S.client.notFound }), 'DYNAMICS.AAD_APP_NOT_FOUND', 'configuration'],
      [
        'secret-bad',
        aad(S.instance.ok, { clientSecret: S.secret.invalid }),
        'DYNAMICS.AAD_INVALID_CLIENT_SECRET',
        'configuration',
      ],
      [
        'secret-old',
        aad(S.instance.ok, { clientSecret: S.secret.expired }),
        'DYNAMICS.AAD_CLIENT_SECRET_EXPIRED',
        'configuration',
      ],
      ['pwd-bad', office365(S.instance.ok, S.user.ok, S.password.wrong), 'DYNAMICS.SIGN_IN_FAILED', 'configuration'],
      ['user-404', office365(S.instance.ok, S.user.notFound), 'DYNAMICS.SIGN_IN_FAILED', 'configuration'],
      ['mfa', office365(S.instance.ok, S.user.mfa), 'DYNAMICS.MFA_REQUIRED', 'configuration'],
      ['mfa-enroll', office365(S.instance.ok, S.user.mfaEnroll), 'DYNAMICS.MFA_REQUIRED', 'configuration'],
      ['no-prv', aad(S.instance.privilegeDenied), 'DYNAMICS.LEAD_WRITER_ROLE_MISSING', 'configuration'],
      [
        'no-field-prv',
        office365(S.instance.fieldPrivilegeMissing),
        'DYNAMICS.LEAD_WRITER_ROLE_MISSING',
        'configuration',
      ],
      ['no-roles', aad(S.instance.noRoles), 'DYNAMICS.NO_ROLES_ASSIGNED', 'configuration'],
      ['no-license', office365(S.instance.noLicense), 'DYNAMICS.LICENSE_MISSING', 'configuration'],
      ['not-dv', aad(S.instance.notDataverse), 'DYNAMICS.INSTANCE_UNREACHABLE', 'configuration'],
      ['no-reply', aad(S.instance.noReply), 'DYNAMICS.INSTANCE_UNREACHABLE', 'configuration'],
      [
        'refused',
        { ...aad(S.instance.ok), url: `https://127.0.0.1:${closedPort}/contoso` },
        'DYNAMICS.INSTANCE_UNREACHABLE',
        'configuration',
      ],
      ['token-401', aad(S.instance.tokenRefused), 'DYNAMICS.AAD_APP_NOT_FOUND', 'configuration'],
      ['rejected', aad(S.instance.rejectRecord), 'DYNAMICS.LEAD_REJECTED', 'data'],
      ['throttled', aad(S.instance.throttled), 'DYNAMICS.THROTTLED', 'transient-exhausted'],
    ];
    try {
      for (const [name, destination] of cases) await f.configure(`fabrikam.${name}`, destination);
      await f.start();
      const leads = new Map<string, Lead>(cases.map(([name]) => [name, testLead(`fabrikam.${name}`)]));
      await f.send([...leads.values()]);
      const dead = await f.deadLetters(cases.length, { timeoutMs: 30_000 });
      expect(dead).toHaveLength(cases.length);
      const secrets = [S.secret.invalid, S.secret.expired, S.secret.ok, S.password.ok, S.password.wrong];
      for (const [name, , cls, category] of cases) {
        const lead = leads.get(name) as Lead;
        const d = dead.find((r) => r.headers[Headers.ceId] === lead.leadId);
        expect([name, d?.headers[Headers.errorClass], d?.headers[Headers.errorCategory]]).toEqual([
          name,
          cls,
          category,
        ]);
        const h = d?.headers ?? {};
        expect(d?.value).toBe(JSON.stringify(lead));
        expect(h[Headers.errorMessage]).toBeTruthy();
        expect(h[Headers.errorRemediation]).toBeTruthy();
        expect(h[Headers.originalTopic]).toBe(f.routeTopic);
        expect(h[Headers.originalPartition]).toBe('0');
        expect(h[Headers.originalOffset]).toMatch(/^\d+$/);
        expect(h[Headers.sink]).toBe('dynamics-sink');
        expect(Number(h[Headers.attempts])).toBeGreaterThanOrEqual(1);
        expect(Date.parse(h[Headers.failedAt] ?? '')).not.toBeNaN();
        expect(h[Headers.destinationVersion]).toBe('1');
        expect(h[Headers.ceType]).toBe('leadflow.lead.v1');
        const all = JSON.stringify(h);
        for (const s of secrets) expect(all).not.toContain(s);
        for (const pii of [lead.customer.email, lead.customer.firstName, lead.customer.phone ?? 'none'])
          expect(all).not.toContain(pii);
        expect(all).not.toMatch(/eyJ[\w-]+\.[\w-]+/);
      }
      const message = (name: string) =>
        dead.find((r) => r.headers[Headers.ceId] === leads.get(name)?.leadId)?.headers[Headers.errorMessage] ?? '';
      // The service's own words reach the publisher: Entra's AADSTS text with its trace lines, Dataverse's code.
      expect(message('tenant-404')).toMatch(
        /^Entra ID: AADSTS90002: Tenant '.+' not found.*\nTrace ID: .+\nCorrelation ID: /s,
      );
      expect(message('user-404')).toContain('AADSTS50034: The user account *** does not exist');
      expect(message('no-roles')).toContain(
        '0x80042f09 SecLib::RetrievePrivilegeForUser failed - no roles are assigned to user',
      );
      expect(message('rejected')).toContain("company 'Fabrikam' is not in an approved sales territory");
      expect(message('rejected')).toContain('Lead of *** *** <***>, phone ***');
    } finally {
      await f.close();
    }
  }, 90_000);

  it('spends one token request on 1,000 leads of one offer', async () => {
    const f = await fixture();
    try {
      const instance = unique('contoso-bulk');
      const tenantId = randomUUID();
      await f.configure('contoso.bulk', aad(instance, { tenantId }));
      await f.start();
      const before = (await state<EntraState>(entra)).requests.filter((r) => r.tenant === tenantId).length;
      const leads = Array.from({ length: 1_000 }, () => testLead('contoso.bulk'));
      await f.send(leads);
      const receipts = await f.receipts(1_000, { timeoutMs: 60_000 });
      expect(new Set(receipts.map((r) => r.leadId))).toEqual(new Set(leads.map((l) => l.leadId)));
      const dv = await state<DataverseState>(dataverse);
      expect(dv.leads.filter((l) => l.instance === instance)).toHaveLength(1_000);
      const after = (await state<EntraState>(entra)).requests.filter((r) => r.tenant === tenantId).length;
      expect(before).toBe(0);
      expect(after).toBe(1);
    } finally {
      await f.close();
    }
  }, 90_000);

  it('survives 429 with Retry-After, and signs in again once when Dataverse refuses a token', async () => {
    const f = await fixture();
    try {
      await f.configure('contoso.busy', aad(S.instance.throttledOnce));
      const revokedTenant = randomUUID();
      await f.configure('contoso.revoked', aad(S.instance.tokenRevokedOnce, { tenantId: revokedTenant }));
      await f.start();
      const busy = testLead('contoso.busy');
      const revoked = testLead('contoso.revoked');
      const sent = Date.now();
      await f.send([busy, revoked]);
      const receipts = await f.receipts(2);
      const of = (l: Lead) => receipts.find((r) => r.leadId === l.leadId);
      expect(of(busy)).toMatchObject({ externalId: busy.leadId, attempts: 2 });
      // Retry-After: 1 was honoured (the retry policy alone would have waited at most 200 ms).
      expect(Date.parse(of(busy)?.deliveredAt ?? '') - sent).toBeGreaterThanOrEqual(1_000);
      expect(of(revoked)).toMatchObject({ externalId: revoked.leadId, attempts: 1 });
      const dv = await state<DataverseState>(dataverse);
      expect(dv.requests[S.instance.throttledOnce]).toEqual({ '204': 1, '429': 1 });
      expect(dv.requests[S.instance.tokenRevokedOnce]).toEqual({ '204': 1, '401': 1 });
      // The refused token was dropped and one fresh token fetched past msal's cache.
      const signIns = (await state<EntraState>(entra)).requests.filter((r) => r.tenant === revokedTenant);
      expect(signIns.map((r) => r.status)).toEqual([200, 200]);
    } finally {
      await f.close();
    }
  }, 60_000);

  it('opens the offer circuit on a configuration error until the destination version changes', async () => {
    const f = await fixture();
    try {
      const tenantId = randomUUID();
      const instance = unique('contoso-circuit');
      await f.configure('contoso.circuit', aad(instance, { tenantId, clientSecret: S.secret.invalid }), 1);
      await f.start();
      const first = testLead('contoso.circuit');
      await f.send([first]);
      expect((await f.deadLetters(1))[0]?.headers[Headers.attempts]).toBe('1');
      const more = [testLead('contoso.circuit'), testLead('contoso.circuit')];
      await f.send(more);
      const dead = await f.deadLetters(3);
      for (const d of dead.slice(1)) {
        expect(d.headers[Headers.errorClass]).toBe('DYNAMICS.AAD_INVALID_CLIENT_SECRET');
        // Skipped: the destination was not called again for this version.
        expect(d.headers[Headers.attempts]).toBe('0');
      }
      const signIns = (await state<EntraState>(entra)).requests.filter((r) => r.tenant === tenantId);
      expect(signIns.map((r) => r.errorCode)).toEqual([7000215]);

      await f.configure('contoso.circuit', aad(instance, { tenantId }), 2);
      // The offer table picks version 2 up from the compacted topic; leads after it are delivered.
      await new Promise((r) => setTimeout(r, 2_000));
      const fixed = testLead('contoso.circuit');
      await f.send([fixed]);
      expect((await f.receipts(1))[0]).toMatchObject({ leadId: fixed.leadId, externalId: fixed.leadId });
    } finally {
      await f.close();
    }
  }, 60_000);

  it('writes one record for a lead delivered twice, with at most two receipts', async () => {
    const f = await fixture();
    try {
      const instance = unique('contoso-twice');
      await f.configure('contoso.twice', aad(instance));
      await f.start();
      const lead = testLead('contoso.twice');
      // The same record twice on the topic: what a sink killed after the CRM call and before its commit replays.
      await f.send([lead]);
      await f.receipts(1);
      await f.send([lead]);
      const receipts = await f.receipts(2, { settleMs: 1_000 });
      expect(receipts).toHaveLength(2);
      expect(receipts.map((r) => r.externalId)).toEqual([lead.leadId, lead.leadId]);
      const dv = await state<DataverseState>(dataverse);
      expect(dv.leads.filter((l) => l.instance === instance)).toHaveLength(1);
      expect(dv.requests[instance]).toEqual({ '204': 1, '412': 1 });
      expect(await f.deadLetters(1, { timeoutMs: 500 })).toEqual([]);
    } finally {
      await f.close();
    }
  }, 60_000);
});
