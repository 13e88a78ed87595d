import {
  decide,
  offerFilter,
  publisherOf,
  publishersFrom,
  rolesFrom,
  StaticTokens,
  StaticTokensSchema,
  tokenDigest,
  type Caller,
  type Role,
} from './index';

const caller = (roles: Role[], publishers: string[] = []): Caller => ({
  subject: 'test',
  roles: new Set(roles),
  publishers: publishersFrom(publishers),
});

describe('decide: who may do what on which offer', () => {
  const producer = caller(['producer']);
  const contoso = caller(['publisher'], ['contoso']);
  const analystA = caller(['analyst'], ['contoso']);
  const analystAll = caller(['analyst'], ['*']);
  const operator = caller(['operator']);
  const callers = {
    producer,
    'publisher A': contoso,
    'analyst A': analystA,
    'analyst *': analystAll,
    operator,
  } as const;

  it.each([
    // [caller, action, offer, outcome]
    ['producer', 'lead.send', 'fabrikam.crm', 'allow'],
    ['producer', 'lead.send', undefined, 'allow'],
    ['producer', 'offer.read', 'contoso.crm', 'forbidden'],
    ['producer', 'offer.configure', 'contoso.crm', 'forbidden'],
    ['publisher A', 'offer.configure', 'contoso.crm', 'allow'],
    ['publisher A', 'offer.read', 'contoso.crm-2', 'allow'],
    ['publisher A', 'offer.configure', 'fabrikam.crm', 'not-found'],
    ['publisher A', 'offer.status', 'fabrikam.crm', 'not-found'],
    ['publisher A', 'lead.send', 'contoso.crm', 'allow'],
    ['publisher A', 'lead.send', 'fabrikam.crm', 'not-found'],
    ['publisher A', 'lead.send', undefined, 'forbidden'],
    ['publisher A', 'deadletter.replay', 'contoso.crm', 'forbidden'],
    ['publisher A', 'offer.read', 'contosoX.crm', 'not-found'],
    ['publisher A', 'offer.read', 'nodot', 'not-found'],
    ['analyst A', 'deadletter.replay', 'contoso.crm', 'allow'],
    ['analyst A', 'deadletter.replay', 'fabrikam.crm', 'not-found'],
    ['analyst A', 'deadletter.replay', undefined, 'forbidden'],
    ['analyst A', 'offer.configure', 'contoso.crm', 'forbidden'],
    ['analyst *', 'deadletter.read', 'fabrikam.crm', 'allow'],
    ['analyst *', 'deadletter.replay', undefined, 'allow'],
    ['analyst *', 'audit.read', undefined, 'forbidden'],
    ['operator', 'offer.configure', 'fabrikam.crm', 'allow'],
    ['operator', 'audit.read', undefined, 'allow'],
  ] as const)('%s: %s on %s is %s', (name, action, offer, outcome) => {
    expect(decide(callers[name], action, offer).outcome).toBe(outcome);
  });

  it('never lets a publisher token claiming every publisher (`*`) act beyond offers it names', () => {
    const star = caller(['publisher'], ['*']);
    expect(decide(star, 'offer.configure', 'fabrikam.crm').outcome).toBe('not-found');
    expect(decide(star, 'lead.send').outcome).toBe('forbidden');
  });

  it('adds up the grants of several roles, each on its own scope', () => {
    const both = caller(['publisher', 'analyst'], ['contoso']);
    expect(decide(both, 'offer.configure', 'contoso.crm').outcome).toBe('allow');
    expect(decide(both, 'deadletter.read', 'contoso.crm').outcome).toBe('allow');
    expect(decide(both, 'deadletter.read', 'fabrikam.crm').outcome).toBe('not-found');
    expect(decide(caller(['producer', 'publisher'], ['contoso']), 'lead.send', 'fabrikam.crm').outcome).toBe('allow');
  });

  it('refuses a caller without a role', () => {
    expect(decide(caller([]), 'lead.send', 'contoso.crm').outcome).toBe('forbidden');
  });

  it('filters listed offers down to those a caller may see', () => {
    const seen = ['contoso.a', 'fabrikam.b', 'contoso.c'];
    expect(seen.filter(offerFilter(caller(['analyst'], ['contoso']), 'deadletter.read'))).toEqual([
      'contoso.a',
      'contoso.c',
    ]);
    expect(seen.filter(offerFilter(caller(['publisher'], ['contoso']), 'deadletter.read'))).toEqual([]);
    expect(seen.filter(offerFilter(operator, 'deadletter.read'))).toEqual(seen);
  });

  it('reads the publisher from publisherid.offerid, and roles and publishers from claims', () => {
    expect(publisherOf('contoso.crm.v2')).toBe('contoso');
    expect(publisherOf('.crm')).toBeUndefined();
    expect(publisherOf('nodot')).toBeUndefined();
    expect([...rolesFrom(['Operator', 'admin', ' publisher '])].sort()).toEqual(['operator', 'publisher']);
    expect(publishersFrom(['contoso', '*'])).toBe('all');
    expect(publishersFrom([' contoso ', ''])).toEqual(new Set(['contoso']));
  });
});

describe('static tokens', () => {
  const config = JSON.stringify([
    { id: 'ops', sha256: tokenDigest('ops-token'), roles: ['operator'] },
    {
      id: 'contoso',
      sha256: tokenDigest('contoso-token').toUpperCase(),
      roles: ['publisher'],
      publishers: ['contoso'],
    },
  ]);
  const tokens = new StaticTokens(StaticTokensSchema.parse(config));

  it('stores digests only and maps each token to its caller', () => {
    expect(config).not.toContain('ops-token');
    expect(tokens.identify('ops-token')).toMatchObject({ subject: 'static:ops', roles: new Set(['operator']) });
    expect(tokens.identify('contoso-token')).toMatchObject({
      subject: 'static:contoso',
      publishers: new Set(['contoso']),
    });
    expect(tokens.identify('ops-toke')).toBeUndefined();
    expect(tokens.identify('')).toBeUndefined();
  });

  it('refuses a configuration that is not a list of valid entries, without echoing it', () => {
    const bad = (raw: string) => StaticTokensSchema.safeParse(raw);
    expect(bad('not json').success).toBe(false);
    expect(bad(JSON.stringify([{ id: 'x', sha256: 'plain-token', roles: ['operator'] }])).success).toBe(false);
    expect(bad(JSON.stringify([{ id: 'x', sha256: tokenDigest('a'), roles: ['admin'] }])).success).toBe(false);
    const dup = { id: 'x', sha256: tokenDigest('a'), roles: ['operator'] };
    expect(bad(JSON.stringify([dup, dup])).success).toBe(false);
    const issues = bad(JSON.stringify([{ id: 'x', sha256: 'secret-value', roles: ['operator'] }]));
    expect(JSON.stringify(issues.error?.issues)).not.toContain('secret-value');
  });
});
