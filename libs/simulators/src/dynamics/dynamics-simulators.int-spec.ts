import { randomUUID } from 'node:crypto';
import { ConfidentialClientApplication, PublicClientApplication } from '@azure/msal-node';
import { testTls } from '@leadflow/testing';
import {
  createDataverseSimulator,
  createEntraSimulator,
  DYNAMICS_SCENARIOS as S,
  startSimulator,
  type DataverseState,
  type EntraState,
  type StartedSimulator,
} from '../index';

/** The simulators as the real msal-node and fetch meet them (no TLS option anywhere: the run's CA is trusted). */
describe('Entra ID and Dataverse simulators', () => {
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

  const cca = (tenant: string, clientId: string, clientSecret: string) =>
    new ConfidentialClientApplication({
      auth: { clientId, clientSecret, authority: `${entra.url}/${tenant}`, knownAuthorities: [entra.url] },
    });
  const state = async <T>(sim: StartedSimulator) => (await (await fetch(`${sim.url}/_state`)).json()) as T;

  it('issues a client-credentials token that Dataverse accepts, and answers a repeated leadid with 412 0x80040237', async () => {
    const instanceUrl = `${dataverse.url}/${S.instance.ok}`;
    const r = await cca(S.tenant.ok, S.client.ok, S.secret.ok).acquireTokenByClientCredential({
      scopes: [`${instanceUrl}/.default`],
    });
    expect(r?.accessToken).toBeTruthy();
    const leadid = randomUUID();
    const post = () =>
      fetch(`${instanceUrl}/api/data/v9.2/leads`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${r?.accessToken}`,
          'content-type': 'application/json',
          'odata-version': '4.0',
          'odata-maxversion': '4.0',
        },
        body: JSON.stringify({ leadid, lastname: 'Doe', subject: 'Fabrikam Suite - INS' }),
      });
    const first = await post();
    expect(first.status).toBe(204);
    expect(first.headers.get('odata-entityid')).toBe(`${instanceUrl}/api/data/v9.2/leads(${leadid})`);
    const again = await post();
    expect(again.status).toBe(412);
    expect(await again.json()).toEqual({
      error: { code: '0x80040237', message: 'A record with matching key values already exists.' },
    });
    const dv = await state<DataverseState>(dataverse);
    expect(dv.leads.filter((l) => l.leadid === leadid)).toHaveLength(1);
    expect(dv.leads.find((l) => l.leadid === leadid)?.createdBy).toBe(S.client.ok);
  });

  it('refuses an unknown tenant on the OpenID configuration request with AADSTS90002 and trace lines', async () => {
    const res = await fetch(`${entra.url}/${S.tenant.notFound}/v2.0/.well-known/openid-configuration`, {
      headers: { 'client-request-id': 'corr-1' },
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body['error_codes']).toEqual([90002]);
    expect(body['error_description']).toMatch(
      /^AADSTS90002: Tenant '.+' not found\..*\r\nTrace ID: [0-9a-f-]{36}\r\nCorrelation ID: corr-1\r\nTimestamp: /s,
    );
    const malformed = await fetch(`${entra.url}/${S.tenant.malformed}/v2.0/.well-known/openid-configuration`);
    expect(((await malformed.json()) as Record<string, unknown>)['error_codes']).toEqual([900023]);
  });

  it.each([
    [S.client.notFound, S.secret.ok, 700016],
    [S.client.ok, S.secret.invalid, 7000215],
    [S.client.ok, S.secret.expired, 7000222],
  ])('answers client %s / secret %s with AADSTS%d through msal-node', async (clientId, secret, code) => {
    const err: unknown = await cca(S.tenant.ok, clientId, secret)
      .acquireTokenByClientCredential({ scopes: [`${dataverse.url}/${S.instance.ok}/.default`] })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect((err as { errorNo?: unknown }).errorNo).toBe(code);
  });

  it('serves the password grant through msal-node, with the MFA and credential errors', async () => {
    const pca = new PublicClientApplication({
      auth: {
        clientId: '51f81489-12ee-4a9e-aaae-a2591f45987d',
        authority: `${entra.url}/organizations`,
        knownAuthorities: [entra.url],
      },
    });
    const scopes = [`${dataverse.url}/${S.instance.ok}/.default`];
    const ok = await pca.acquireTokenByUsernamePassword({ scopes, username: S.user.ok, password: S.password.ok });
    expect(ok?.accessToken).toBeTruthy();
    const codeOf = (username: string, password: string) =>
      pca.acquireTokenByUsernamePassword({ scopes, username, password }).then(
        () => undefined,
        (e: unknown) => (e as { errorNo?: unknown }).errorNo,
      );
    expect(await codeOf(S.user.ok, S.password.wrong)).toBe(50126);
    expect(await codeOf(S.user.notFound, S.password.ok)).toBe(50034);
    expect(await codeOf(S.user.mfa, S.password.ok)).toBe(50076);
    expect(await codeOf(S.user.mfaEnroll, S.password.ok)).toBe(50079);
    const st = await state<EntraState>(entra);
    expect(st.tokenRequests.byUser[S.user.mfa]).toBe(1);
    expect(st.instanceDiscoveryRequests).toBe(0);
  });

  it('msal-node reports a missing tenant only as endpoints_resolution_error (the code is in the OpenID answer)', async () => {
    const err: unknown = await cca(S.tenant.notFound, S.client.ok, S.secret.ok)
      .acquireTokenByClientCredential({ scopes: [`${dataverse.url}/${S.instance.ok}/.default`] })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect((err as { errorCode?: unknown }).errorCode).toBe('endpoints_resolution_error');
  });
});
