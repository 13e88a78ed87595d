import { readAuditTrail } from '@leadflow/audit';
import { tokenDigest } from '@leadflow/access';
import type { AuditRecord } from '@leadflow/lead-model';
import { uniqueName } from '@leadflow/testing';
import { adminAuth, startTestIngest, type TestIngest } from '../ingest.int-harness';

const ACCOUNT_KEY = Buffer.from('audit-test-account-key-never-in-the-trail').toString('base64');
const ROTATED_KEY = Buffer.from('audit-test-rotated-account-key-never-in-the-trail').toString('base64');
const cs = (key: string) =>
  `DefaultEndpointsProtocol=https;AccountName=contosoleads;AccountKey=${key};EndpointSuffix=core.windows.net`;
const SIGNING_SECRET = 'audit-https-signing-secret-0123456789';

/** Every configuration change leaves exactly one audit record naming who, versions and fields, never a value. */
describe('the audit trail of offer configuration', () => {
  let t: TestIngest;
  const offer = `contoso.audit-${Date.now().toString(36)}`;
  const other = `fabrikam.audit-${Date.now().toString(36)}`;
  const publisher = { authorization: 'Bearer contoso-publisher-token' };

  beforeAll(async () => {
    t = await startTestIngest({
      env: {
        LEADFLOW_STATIC_TOKENS: JSON.stringify([
          {
            id: 'contoso-admin',
            sha256: tokenDigest('contoso-publisher-token'),
            roles: ['publisher'],
            publishers: ['contoso'],
          },
        ]),
      },
    });
  });
  afterAll(() => t?.close());

  const call = (method: 'PUT' | 'DELETE', offerId: string, headers: Record<string, string>, payload?: unknown) =>
    t.ingest.app.inject({
      method,
      url: `/v1/offers/${offerId}/destination`,
      headers: payload === undefined ? headers : { ...headers, 'content-type': 'application/json' },
      ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }),
    });

  const trail = async (): Promise<AuditRecord[]> =>
    (await readAuditTrail(t.kafka, t.topics.audit as string, {}, { groupPrefix: uniqueName('audit-read') })).records;

  /** Runs `action`, then returns the records it added (reading until at least `n` new ones or a short wait). */
  const added = async (action: () => Promise<unknown>, n: number): Promise<AuditRecord[]> => {
    const before = (await trail()).length;
    await action();
    const deadline = Date.now() + 3_000;
    let now = await trail();
    while (now.length < before + n && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      now = await trail();
    }
    return now.slice(before);
  };

  it('records each put and delete once, with the actor, the versions and the names of the fields that changed', async () => {
    const created = await added(async () => {
      const r = await call('PUT', offer, publisher, {
        type: 'azure-table',
        connectionString: cs(ACCOUNT_KEY),
        tableName: 'Leads',
      });
      expect(r.statusCode).toBe(200);
    }, 1);
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({
      actor: 'static:contoso-admin',
      action: 'offer.destination.put',
      offerId: offer,
      change: { fromVersion: null, toVersion: 1, fields: ['connectionString', 'tableName', 'type'] },
    });

    // Only the secret changed: its field is named, its value is nowhere.
    const rotated = await added(async () => {
      const r = await call('PUT', offer, adminAuth, {
        type: 'azure-table',
        connectionString: cs(ROTATED_KEY),
        tableName: 'Leads',
      });
      expect(r.statusCode).toBe(200);
    }, 1);
    expect(rotated).toHaveLength(1);
    expect(rotated[0]?.change).toEqual({ fromVersion: 1, toVersion: 2, fields: ['connectionString'] });
    expect(rotated[0]?.actor).toMatch(/^static:operator-[0-9a-f]{12}$/);

    const unchanged = await added(async () => {
      const r = await call('PUT', offer, publisher, {
        type: 'azure-table',
        connectionString: cs(ROTATED_KEY),
        tableName: 'Leads',
      });
      expect(r.statusCode).toBe(200);
    }, 1);
    expect(unchanged.map((r) => r.change)).toEqual([{ fromVersion: 2, toVersion: 3, fields: [] }]);

    const retyped = await added(async () => {
      const r = await call('PUT', offer, publisher, {
        type: 'https',
        url: 'https://hooks.contoso.example/leads',
        signingSecret: SIGNING_SECRET,
      });
      expect(r.statusCode).toBe(200);
    }, 1);
    expect(retyped[0]?.change?.fields).toEqual(['connectionString', 'signingSecret', 'tableName', 'type', 'url']);

    const removed = await added(async () => expect((await call('DELETE', offer, publisher)).statusCode).toBe(204), 1);
    expect(removed).toHaveLength(1);
    expect(removed[0]).toMatchObject({
      action: 'offer.destination.delete',
      change: { fromVersion: 4, toVersion: null, fields: ['signingSecret', 'type', 'url'] },
    });
  });

  it('records nothing for a delete of nothing or a refused call', async () => {
    const none = await added(async () => {
      expect((await call('DELETE', `${offer}-never`, publisher)).statusCode).toBe(204);
      expect((await call('PUT', other, publisher, { type: 'https', url: 'https://x.example/l' })).statusCode).toBe(404);
      expect((await call('DELETE', other, publisher)).statusCode).toBe(404);
      expect(
        (await call('PUT', offer, { authorization: 'Bearer nope' }, { type: 'https', url: 'https://x.example/l' }))
          .statusCode,
      ).toBe(401);
    }, 1);
    expect(none).toEqual([]);
  });

  it('holds no secret anywhere in the trail', async () => {
    const text = JSON.stringify(await trail());
    for (const secret of [ACCOUNT_KEY, ROTATED_KEY, SIGNING_SECRET, 'contoso-publisher-token', 'AccountKey=']) {
      expect(text).not.toContain(secret);
    }
  });
});
