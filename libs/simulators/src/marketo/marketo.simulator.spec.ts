import { Agent, fetch as undiciFetch } from 'undici';
import { generateTls } from '@leadflow/local-infra';
import {
  MARKETO_SCENARIOS as S,
  marketoSimulator,
  startSimulator,
  type MarketoSimulatorState,
  type StartedSimulator,
} from '../index';

interface Envelope {
  requestId: string;
  success: boolean;
  errors?: { code: string; message: string }[];
  result?: { id?: number; status: string; reasons?: { code: string; message: string }[] }[];
}

describe('Marketo simulator', () => {
  let sim: StartedSimulator;
  let slow: StartedSimulator;
  let agent: Agent;

  beforeAll(async () => {
    const tls = await generateTls();
    agent = new Agent({ connect: { ca: tls.caPem } });
    sim = await startSimulator(marketoSimulator(), tls, { host: '127.0.0.1', port: 0 });
    slow = await startSimulator(marketoSimulator({ latencyMs: 150 }), tls, { host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await sim.close();
    await slow.close();
    await agent.close();
  });

  const base = (munchkin: string, s = sim) => `${s.url}/${munchkin}`;
  async function token(munchkin: string, clientId = 'client', s = sim): Promise<string> {
    const r = await undiciFetch(
      `${base(munchkin, s)}/identity/oauth/token?grant_type=client_credentials&client_id=${clientId}&client_secret=x`,
      { dispatcher: agent },
    );
    return ((await r.json()) as { access_token: string }).access_token;
  }
  async function post(url: string, tok: string, body: unknown): Promise<Envelope> {
    const r = await undiciFetch(url, {
      method: 'POST',
      dispatcher: agent,
      headers: { authorization: `Bearer ${tok}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(r.status).toBe(200);
    return (await r.json()) as Envelope;
  }
  const sync = (munchkin: string, tok: string, input: unknown[], s = sim) =>
    post(`${base(munchkin, s)}/rest/v1/leads.json`, tok, { action: 'createOrUpdate', lookupField: 'email', input });
  const state = async (s = sim) =>
    (await (await undiciFetch(`${s.url}/_state`, { dispatcher: agent })).json()) as MarketoSimulatorState;

  it('grants tokens by GET or form POST, returns the same token again, refuses a bad client with 401', async () => {
    const first = await token('111-AAA-111');
    expect(await token('111-AAA-111')).toBe(first);
    const posted = await undiciFetch(`${base('111-AAA-111')}/identity/oauth/token`, {
      method: 'POST',
      dispatcher: agent,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&client_id=client&client_secret=x',
    });
    expect(((await posted.json()) as { access_token: string }).access_token).toBe(first);
    const bad = await undiciFetch(
      `${base('111-AAA-111')}/identity/oauth/token?grant_type=client_credentials&client_id=${S.clientId.badClient}&client_secret=x`,
      { dispatcher: agent },
    );
    expect([bad.status, await bad.json()]).toEqual([
      401,
      { error: 'invalid_client', error_description: 'Bad client credentials' },
    ]);
    // A token of another instance is not valid here.
    expect((await sync('222-BBB-222', first, [{ email: 'a@b.example' }])).errors).toEqual([
      { code: '601', message: 'Access token invalid' },
    ]);
  });

  it('upserts by e-mail with per-record reasons in input order', async () => {
    const m = '112-AAA-112';
    const tok = await token(m);
    const r = await sync(m, tok, [
      { email: 'Kim@contoso.example', firstName: 'Kim' },
      { email: 'x@invalid-data.example' },
      { email: 'kim@contoso.example', lastName: 'Doe' },
      { email: 'y@duplicates.example' },
      { email: 'z@contoso.example', favouriteColour: 'blue' },
      { email: 'v@invalid-value.example' },
    ]);
    expect(r.success).toBe(true);
    expect(r.result?.map((x) => [x.status, x.reasons?.[0]?.code])).toEqual([
      ['created', undefined],
      ['skipped', '1003'],
      ['updated', undefined],
      ['skipped', '1007'],
      ['skipped', '1006'],
      ['skipped', '1001'],
    ]);
    expect(r.result?.[0]?.id).toBe(r.result?.[2]?.id);
    const leads = (await state()).munchkins[m]?.leads;
    expect(leads).toHaveLength(1);
    expect(leads?.[0]).toMatchObject({ fields: { firstName: 'Kim', lastName: 'Doe' }, updates: 1 });
  });

  it('answers the subscription scenarios with their response-level codes', async () => {
    const codes: string[] = [];
    for (const m of [
      S.munchkin.invalidSubscription,
      S.munchkin.dailyQuotaReached,
      S.munchkin.rateLimited,
      S.munchkin.concurrencyLimited,
    ]) {
      codes.push((await sync(m, await token(m), [{ email: 'a@b.example' }])).errors?.[0]?.code ?? '');
    }
    const m = '113-AAA-113';
    codes.push(
      (await sync(m, await token(m, S.clientId.accessDenied), [{ email: 'a@b.example' }])).errors?.[0]?.code ?? '',
    );
    codes.push(
      (await sync(m, await token(m, S.clientId.tokenInvalid), [{ email: 'a@b.example' }])).errors?.[0]?.code ?? '',
    );
    const once = await token(m, S.clientId.tokenExpiresOnce);
    codes.push((await sync(m, once, [{ email: 'a@b.example' }])).errors?.[0]?.code ?? '');
    const renewed = await token(m, S.clientId.tokenExpiresOnce);
    expect(renewed).not.toBe(once);
    expect((await sync(m, renewed, [{ email: 'a@b.example' }])).success).toBe(true);
    expect(codes).toEqual(['614', '607', '606', '615', '603', '601', '602']);
  });

  it('refuses the 101st call within 20 seconds with 606', async () => {
    const m = '114-AAA-114';
    const tok = await token(m);
    const answers: Envelope[] = [];
    for (let i = 0; i < 101; i++) answers.push(await sync(m, tok, [{ email: `p${i}@contoso.example` }]));
    expect(answers.slice(0, 100).every((a) => a.success)).toBe(true);
    expect(answers[100]?.errors?.[0]?.code).toBe('606');
  });

  it('refuses an 11th concurrent call with 615', async () => {
    const m = '115-AAA-115';
    const tok = await token(m, 'client', slow);
    const answers = await Promise.all(
      Array.from({ length: 11 }, (_, i) => sync(m, tok, [{ email: `c${i}@contoso.example` }], slow)),
    );
    expect(answers.filter((a) => a.errors?.[0]?.code === '615')).toHaveLength(1);
    expect((await state(slow)).munchkins[m]?.maxConcurrent).toBe(10);
  });

  it('submits a form fill, and refuses an unknown form or a field the form lacks', async () => {
    const m = '116-AAA-116';
    const tok = await token(m);
    const url = `${base(m)}/rest/v1/leads/submitForm.json`;
    const fill = (formId: number, fields: Record<string, string>) =>
      post(url, tok, { formId, input: [{ leadFormFields: fields }] });
    const ok = await fill(1179, { email: 'f@contoso.example', company: 'Contoso' });
    expect(ok.result?.[0]?.status).toBe('created');
    expect((await fill(S.formId.notFound, { email: 'f@contoso.example' })).errors?.[0]?.code).toBe('702');
    const lacking = await fill(S.formId.lackingFields, { email: 'f@contoso.example', company: 'Contoso' });
    expect(lacking.result?.[0]).toEqual({
      status: 'skipped',
      reasons: [{ code: '1006', message: "Field 'company' not found" }],
    });
    expect((await state()).munchkins[m]?.formFills).toEqual([
      { formId: 1179, leadId: ok.result?.[0]?.id, fields: { email: 'f@contoso.example', company: 'Contoso' } },
    ]);
  });
});
