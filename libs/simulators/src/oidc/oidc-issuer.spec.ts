import { Agent, fetch as undiciFetch } from 'undici';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { generateTls } from '@leadflow/local-infra';
import { createOidcIssuer, startSimulator, type StartedSimulator } from '../index';

describe('the local OIDC issuer', () => {
  let sim: StartedSimulator;
  let dispatcher: Agent;
  const issuer = createOidcIssuer();

  beforeAll(async () => {
    const tls = await generateTls();
    sim = await startSimulator(issuer, tls, { host: '127.0.0.1', port: 0 });
    dispatcher = new Agent({ connect: { ca: tls.caPem } });
  });
  afterAll(() => sim.close());

  const token = (form: Record<string, string>, headers: Record<string, string> = {}) =>
    undiciFetch(`${sim.url}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(form).toString(),
      dispatcher,
    });

  it('grants client credentials (post or basic) as RS256 tokens shaped like Entra v2.0', async () => {
    const basic = Buffer.from('contoso-publisher:dev-contoso-secret').toString('base64');
    const res = await token({ grant_type: 'client_credentials' }, { authorization: `Basic ${basic}` });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { token_type: string; access_token: string; expires_in: number };
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
    expect(decodeProtectedHeader(body.access_token)).toMatchObject({ alg: 'RS256', typ: 'JWT' });
    const claims = decodeJwt(body.access_token);
    expect(claims).toMatchObject({
      iss: sim.url,
      aud: 'api://leadflow',
      azp: 'contoso-publisher',
      roles: ['publisher'],
      publishers: ['contoso'],
      ver: '2.0',
      idtyp: 'app',
    });
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(3600);
  });

  it('answers OAuth errors for a wrong secret, grant or scope', async () => {
    const wrong = await token({ grant_type: 'client_credentials', client_id: 'leadflow-operator', client_secret: 'x' });
    expect([wrong.status, ((await wrong.json()) as { error: string }).error]).toEqual([401, 'invalid_client']);
    const grant = await token({ grant_type: 'password', client_id: 'leadflow-operator', client_secret: 'x' });
    expect([grant.status, ((await grant.json()) as { error: string }).error]).toEqual([400, 'unsupported_grant_type']);
    const scope = await token({
      grant_type: 'client_credentials',
      client_id: 'leadflow-operator',
      client_secret: 'dev-operator-secret',
      scope: 'https://graph.microsoft.com/.default',
    });
    expect([scope.status, ((await scope.json()) as { error: string }).error]).toEqual([400, 'invalid_scope']);
  });

  it('rotates its signing key on request, keeping or dropping the old one', async () => {
    const before = issuer.jwks().keys.map((k) => k.kid);
    const kept = (await (
      await undiciFetch(`${sim.url}/_rotate`, {
        method: 'POST',
        dispatcher,
        headers: { 'content-type': 'application/json' },
        body: '{}',
      })
    ).json()) as { kid: string; keys: number };
    expect(kept.keys).toBe(before.length + 1);
    const signed = await issuer.sign({ roles: ['operator'] });
    expect(decodeProtectedHeader(signed).kid).toBe(kept.kid);
    const dropped = issuer.rotate(true);
    expect(issuer.jwks().keys.map((k) => k.kid)).toEqual([dropped]);
  });
});
