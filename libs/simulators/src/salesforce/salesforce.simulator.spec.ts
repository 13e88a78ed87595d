import { Agent, fetch } from 'undici';
import { generateTls } from '@leadflow/local-infra';
import {
  createSalesforceSimulator,
  SALESFORCE_SCENARIOS as S,
  startSimulator,
  type SalesforceSimulatorState,
  type StartedSimulator,
} from '../index';

describe('Salesforce simulator', () => {
  let sim: StartedSimulator;
  let dispatcher: Agent;

  beforeAll(async () => {
    const tls = await generateTls();
    dispatcher = new Agent({ connect: { ca: tls.caPem } });
    sim = await startSimulator(createSalesforceSimulator(), tls, { host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await sim.close();
    await dispatcher.close();
  });
  beforeEach(async () => {
    await fetch(`${sim.url}/_reset`, { method: 'POST', dispatcher });
  });

  const form = (path: string, fields: Record<string, string>) =>
    fetch(`${sim.url}${path}`, {
      method: 'POST',
      body: new URLSearchParams(fields).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      dispatcher,
    });
  const json = (method: string, path: string, token: string, body: unknown) =>
    fetch(`${sim.url}${path}`, {
      method,
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      dispatcher,
    });
  const state = async () =>
    (await (await fetch(`${sim.url}/_state`, { dispatcher })).json()) as SalesforceSimulatorState;
  async function tokenFor(clientId: string): Promise<string> {
    const res = await form('/services/oauth2/token', {
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: S.clientSecret,
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { access_token: string }).access_token;
  }
  const lead = (over: Record<string, string> = {}) => ({
    LastName: 'Doe',
    Company: 'Fabrikam',
    Email: 'kim@fabrikam.example',
    LeadSource: 'AzureMarketplace-INS|fabrikam.suite',
    ...over,
  });

  it('issues tokens to known apps and answers OAuth errors with their real bodies', async () => {
    const ok = await form('/services/oauth2/token', {
      grant_type: 'client_credentials',
      client_id: S.clients.ok,
      client_secret: S.clientSecret,
    });
    expect(await ok.json()).toMatchObject({ token_type: 'Bearer', instance_url: sim.url, scope: 'api' });
    const bad = async (fields: Record<string, string>) => {
      const res = await form('/services/oauth2/token', fields);
      return [res.status, await res.json()];
    };
    expect(
      await bad({ grant_type: 'client_credentials', client_id: S.clients.unknown, client_secret: S.clientSecret }),
    ).toEqual([400, { error: 'invalid_client_id', error_description: 'client identifier invalid' }]);
    expect(await bad({ grant_type: 'client_credentials', client_id: S.clients.ok, client_secret: 'wrong' })).toEqual([
      400,
      { error: 'invalid_client', error_description: 'invalid client credentials' },
    ]);
    expect(
      await bad({
        grant_type: 'password',
        client_id: S.clients.ok,
        client_secret: S.clientSecret,
        username: S.username,
        password: 'wrong',
      }),
    ).toEqual([400, { error: 'invalid_grant', error_description: 'authentication failure' }]);
    const pw = await form('/services/oauth2/token', {
      grant_type: 'password',
      client_id: S.clients.ok,
      client_secret: S.clientSecret,
      username: S.username,
      password: S.password,
    });
    expect(pw.status).toBe(200);
    const s = await state();
    expect(s.grants.map((g) => g.result)).toEqual([
      'issued',
      'invalid_client_id',
      'invalid_client',
      'invalid_grant',
      'issued',
    ]);
    expect(JSON.stringify(s)).not.toContain(S.clientSecret);
    expect(s.calls.token).toBe(5);
  });

  it('creates a Lead through REST and rejects one that misses a required field with the error array', async () => {
    const token = await tokenFor(S.clients.ok);
    const created = await json('POST', '/services/data/v62.0/sobjects/Lead', token, lead());
    expect(created.status).toBe(201);
    expect(await created.json()).toEqual({ id: expect.stringMatching(/^00Q/), success: true, errors: [] });
    const missing = await json('POST', '/services/data/v62.0/sobjects/Lead', token, lead({ LastName: '' }));
    expect([missing.status, await missing.json()]).toEqual([
      400,
      [
        {
          message: 'Required fields are missing: [LastName]',
          errorCode: 'REQUIRED_FIELD_MISSING',
          fields: ['LastName'],
        },
      ],
    ]);
    const s = await state();
    expect(s.leads).toHaveLength(1);
    expect(s.leads[0]?.fields).toMatchObject({ Email: 'kim@fabrikam.example' });
  });

  it.each([
    [S.clients.requiredField, 'REQUIRED_FIELD_MISSING', ['Region__c']],
    [S.clients.restrictedPicklist, 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', ['LeadSource']],
    [S.clients.validationRule, 'FIELD_CUSTOM_VALIDATION_EXCEPTION', []],
    [S.clients.duplicateRule, 'DUPLICATES_DETECTED', []],
  ])('org of %s rejects a lead with %s', async (client, code, fields) => {
    const token = await tokenFor(client);
    const res = await json('POST', '/services/data/v62.0/sobjects/Lead', token, lead());
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual([expect.objectContaining({ errorCode: code, fields })]);
  });

  it('answers 403 REQUEST_LIMIT_EXCEEDED when the org is out of API requests', async () => {
    const token = await tokenFor(S.clients.apiLimit);
    const res = await json('POST', '/services/data/v62.0/composite/sobjects', token, { records: [lead()] });
    expect([res.status, await res.json()]).toEqual([
      403,
      [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }],
    ]);
  });

  it('expires the first session of the session-expires app once, then accepts a new token', async () => {
    const first = await tokenFor(S.clients.sessionExpiresOnce);
    const expired = await json('POST', '/services/data/v62.0/sobjects/Lead', first, lead());
    expect([expired.status, await expired.json()]).toEqual([
      401,
      [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }],
    ]);
    const second = await tokenFor(S.clients.sessionExpiresOnce);
    expect((await json('POST', '/services/data/v62.0/sobjects/Lead', second, lead())).status).toBe(201);
    expect((await json('POST', '/services/data/v62.0/sobjects/Lead', 'not-a-token', lead())).status).toBe(401);
  });

  it('creates a collection record by record: one bad record fails only itself (statusCode in results)', async () => {
    const token = await tokenFor(S.clients.ok);
    const res = await json('POST', '/services/data/v62.0/composite/sobjects', token, {
      allOrNone: false,
      records: [
        { attributes: { type: 'Lead' }, ...lead({ Email: 'a@x.example' }) },
        { attributes: { type: 'Lead' }, ...lead({ Email: 'b@x.example', Title: S.rejectedTitle }) },
        { attributes: { type: 'Lead' }, ...lead({ Email: 'c@x.example' }) },
      ],
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual([
      { id: expect.stringMatching(/^00Q/), success: true, errors: [] },
      {
        success: false,
        errors: [
          {
            statusCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
            message: 'Title is not an accepted job title.',
            fields: [],
          },
        ],
      },
      { id: expect.stringMatching(/^00Q/), success: true, errors: [] },
    ]);
    expect((await state()).leads.map((l) => l.fields['Email'])).toEqual(['a@x.example', 'c@x.example']);
    const tooMany = await json('POST', '/services/data/v62.0/composite/sobjects', token, {
      records: Array.from({ length: 201 }, () => lead()),
    });
    expect([tooMany.status, ((await tooMany.json()) as { errorCode: string }[])[0]?.errorCode]).toEqual([
      400,
      'EXCEEDED_ID_LIMIT',
    ]);
  });

  it('upserts on the external id: a repeat updates the same record', async () => {
    const token = await tokenFor(S.clients.ok);
    const body = {
      allOrNone: false,
      records: [{ attributes: { type: 'Lead' }, ...lead({ LeadflowId__c: 'lead-1' }) }],
    };
    const path = '/services/data/v62.0/composite/sobjects/Lead/LeadflowId__c';
    const first = (await (await json('PATCH', path, token, body)).json()) as { id: string; created: boolean }[];
    const again = (await (await json('PATCH', path, token, body)).json()) as { id: string; created: boolean }[];
    expect(first[0]?.created).toBe(true);
    expect(again[0]).toEqual({ id: first[0]?.id, success: true, errors: [], created: false });
    const s = await state();
    expect([s.leads.length, s.leads[0]?.updates, s.calls.upsert]).toEqual([1, 1, 2]);
  });

  it('answers Web-to-Lead the same whatever happens, and records or drops the lead per org', async () => {
    const post = (oid: string, lead_source = 'AzureMarketplace-INS|fabrikam.suite') =>
      form('/servlet/servlet.WebToLead?encoding=UTF-8', {
        oid,
        first_name: 'Kim',
        last_name: 'Doe',
        email: 'kim@fabrikam.example',
        lead_source,
        encoding: 'UTF-8',
      });
    const answers = await Promise.all(
      [S.orgs.ok, S.orgs.restrictedPicklist, S.orgs.requiredField, S.orgs.validationRule, S.orgs.unknown].map(
        async (oid) => {
          const res = await post(oid);
          return [res.status, res.headers.get('content-type'), await res.text()];
        },
      ),
    );
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(answers[0]?.[0]).toBe(200);
    const s = await state();
    expect(s.leads).toEqual([
      expect.objectContaining({
        org: S.orgs.ok,
        via: 'web-to-lead',
        fields: expect.objectContaining({ Company: '[not provided]' }),
      }),
    ]);
    expect(Object.fromEntries(s.dropped.map((d) => [d.org, d.reason]))).toEqual({
      [S.orgs.restrictedPicklist]: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
      [S.orgs.requiredField]: 'REQUIRED_FIELD_MISSING',
      [S.orgs.validationRule]: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
      [S.orgs.unknown]: 'UNKNOWN_ORG',
    });
    // An allowed picklist value goes through in the picklist org.
    await post(S.orgs.restrictedPicklist, 'Web');
    expect((await state()).leads.map((l) => l.org)).toEqual([S.orgs.ok, S.orgs.restrictedPicklist]);
    expect((await state()).calls.webToLead).toBe(6);
  });
});
