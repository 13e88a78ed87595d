import { MAX_NOTIFICATION_CONTACTS } from '@leadflow/lead-model';
import { adminAuth, startTestIngest, type TestIngest } from '../ingest.int-harness';

const json = { 'content-type': 'application/json' };
const destination = (notifications: unknown) => ({
  type: 'https',
  url: 'https://leads.fabrikam.example/hook',
  notifications,
});

describe('notification contacts on PUT /v1/offers/{offerId}/destination', () => {
  let t: TestIngest;
  const offer = `contoso.contacts-${Date.now().toString(36)}`;

  beforeAll(async () => {
    t = await startTestIngest();
  });
  afterAll(async () => {
    await t?.close();
  });

  const put = (payload: unknown) =>
    t.ingest.app.inject({
      method: 'PUT',
      url: `/v1/offers/${offer}/destination`,
      headers: { ...json, ...adminAuth },
      payload: JSON.stringify(payload),
    });

  it('refuses a malformed address with a problem naming its index, and more than 10 contacts', async () => {
    const malformed = await put(destination({ contacts: ['ops@fabrikam.example', 'not an address'] }));
    expect(malformed.statusCode).toBe(400);
    expect(malformed.headers['content-type']).toContain('application/problem+json');
    expect(malformed.json().errors).toEqual([
      { path: 'notifications.contacts.1', message: 'must be an e-mail address like name@example.com' },
    ]);

    const many = Array.from({ length: MAX_NOTIFICATION_CONTACTS + 1 }, (_, i) => `c${i}@fabrikam.example`);
    const tooMany = await put(destination({ contacts: many }));
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json().errors).toEqual([{ path: 'notifications.contacts', message: 'at most 10 contacts' }]);

    const none = await put(destination({ contacts: [] }));
    expect(none.statusCode).toBe(400);
    expect(none.json().errors[0].path).toBe('notifications.contacts');
  });

  it('saves up to 10 contacts and the off switch, and answers them back', async () => {
    const contacts = Array.from({ length: MAX_NOTIFICATION_CONTACTS }, (_, i) => `sales+${i}@fabrikam.example`);
    const saved = await put(destination({ contacts, enabled: false }));
    expect(saved.statusCode).toBe(200);
    expect(saved.json().destination.notifications).toEqual({ contacts, enabled: false });
    const got = await t.ingest.app.inject({
      method: 'GET',
      url: `/v1/offers/${offer}/destination`,
      headers: adminAuth,
    });
    expect(got.json().destination.notifications).toEqual({ contacts, enabled: false });
  });
});
