import { EMAIL_PATTERN, notificationContacts, parseDestination } from './index';

const https = { type: 'https', url: 'https://leads.fabrikam.example/hook' };

describe('notification contacts', () => {
  it.each(['a@b.co', 'first.last+leads@sub.fabrikam.example', "o'brien@contoso.com", 'x_y-z@a-b.io'])(
    'accepts %s',
    (address) => expect(EMAIL_PATTERN.test(address)).toBe(true),
  );

  it.each([
    '',
    'plain',
    '@contoso.com',
    'a@',
    'a@b',
    'a..b@contoso.com',
    '.a@contoso.com',
    'a@-contoso.com',
    'a b@c.com',
    'a@c.c0m',
    '"q"@c.com',
  ])('refuses %j', (address) => expect(EMAIL_PATTERN.test(address)).toBe(false));

  it('is optional on every type and refuses an eleventh contact', () => {
    expect(parseDestination(https).ok).toBe(true);
    const ten = Array.from({ length: 10 }, (_, i) => `c${i}@contoso.com`);
    expect(parseDestination({ ...https, notifications: { contacts: ten } }).ok).toBe(true);
    const r = parseDestination({ ...https, notifications: { contacts: [...ten, 'c10@contoso.com'] } });
    expect(r).toMatchObject({ ok: false, issues: [{ path: 'notifications.contacts' }] });
  });

  it('reads contacts lower-cased and deduplicated, none when switched off or malformed', () => {
    expect(notificationContacts({ ...https, notifications: { contacts: ['A@Contoso.com', 'a@contoso.com'] } })).toEqual(
      ['a@contoso.com'],
    );
    expect(notificationContacts({ ...https, notifications: { contacts: ['a@contoso.com'], enabled: false } })).toEqual(
      [],
    );
    expect(notificationContacts({ ...https, notifications: { contacts: 'a@contoso.com' } })).toEqual([]);
    expect(notificationContacts(https)).toEqual([]);
  });
});
