import { CANONICAL_CUSTOMER_KEYS, CANONICAL_LEAD_KEYS, plainCanonicalLead } from './canonical-lead';
import { LEAD_ACTIONS, LEAD_SOURCES } from './lead-source';
import { parseLeadInput, parseLeadInputBySchemas, type ParseContext } from './parse-input';

const now = new Date('2026-11-24T10:00:00.000Z');
const ctx = (extra: Partial<ParseContext> = {}): ParseContext => ({ now, newLeadId: () => 'generated-1', ...extra });

type Json = Record<string, unknown>;

const base = (): Json => ({
  leadId: '0193f1a2-7c00-7abc-8def-0123456789ab',
  offerId: 'contoso.bench-offer',
  source: 'AzureMarketplace',
  action: 'INS',
  offerTitle: 'Contoso Bench Offer',
  customer: {
    firstName: 'Bench1',
    lastName: 'Customer',
    email: 'bench1@contoso.example',
    phone: '16175555555',
    country: 'US',
    company: 'Contoso',
    title: 'Buyer',
  },
  description: 'Benchmark lead',
  occurredAt: '2026-11-24T09:59:58.123Z',
  isTest: false,
  piiSuppressed: false,
});

/** Marks a property to delete. */
const ABSENT = Symbol('absent');

const anyValue: unknown[] = [
  ABSENT,
  null,
  0,
  1.5,
  true,
  false,
  {},
  [],
  ['x'],
  { nested: { deeper: [1, 2, { x: 'y' }] } },
  '',
  ' ',
  'x',
  '  padded  ',
  '\u00a0nbsp\u00a0',
  '\ufeffbom\u2028',
  'a'.repeat(128),
  'a'.repeat(129),
  'a'.repeat(256),
  'a'.repeat(257),
  ` ${'a'.repeat(255)} `,
  'a'.repeat(4000),
  'a'.repeat(4001),
  'MSFT_TEST_636573304831318844',
  'msft_test_lower',
];

/** Values worth trying per property, on top of `anyValue`. */
const special: Record<string, unknown[]> = {
  leadId: ['abc:def_1.2-3', '-x', 'x y', 'ü', 'A', 'a'.repeat(128)],
  offerId: [
    'contoso.crm',
    'contoso',
    'a.b',
    '.a',
    'a.',
    'con toso.x',
    'c_-.o-_.',
    `${'x'.repeat(250)}.yyyyyy`,
    `${'x'.repeat(250)}.yyyyy`,
  ],
  source: [
    ...LEAD_SOURCES,
    ...LEAD_SOURCES.map((s) => s.toLowerCase()),
    'SPZA',
    'AppSource (SPZA)',
    ' AzureMarketplace',
    'Nope',
  ],
  action: [...LEAD_ACTIONS, ...LEAD_ACTIONS.map((a) => a.toLowerCase()), ' INS', 'INS ', 'BAD'],
  occurredAt: [
    '2026-11-24T10:00:00Z',
    '2026-11-24T10:00:00+01:00',
    '2026-11-24T10:00:00.123456-05:30',
    '2026-11-24T10:00Z',
    '2026-11-24',
    '2026-02-29T00:00:00Z',
    '2024-02-29T00:00:00Z',
    '2026-11-24t10:00:00z',
    '2026-11-24T24:00:00Z',
    '2026-11-24T10:00:00+24:00',
    '2026-11-24 10:00:00Z',
    ' 2026-11-24T10:00:00Z',
  ],
  'customer.email': [
    'a@b.c',
    ' a@b.c ',
    '\ta@b.co\n',
    'a@b',
    'a b@c.d',
    'a@@b.c',
    '@b.c',
    'a@b.',
    'x@y.edu',
    'X@Sub.Uni.EDU',
    'MSFT_TEST_1@test.com',
    'a@b.c\u2028',
    'ä@ö.de',
    `${'a'.repeat(250)}@b.com`,
    `${'a'.repeat(251)}@b.com`,
  ],
  isTest: ['true', 1],
  piiSuppressed: ['false', 0],
};

const topKeys = [...CANONICAL_LEAD_KEYS];
const customerKeys = [...CANONICAL_CUSTOMER_KEYS];
const paths = [...topKeys, ...customerKeys.map((k) => `customer.${k}`)];
/** Properties the common form does not have: another shape's names, other cases, unknown ones. */
const extraKeys = [
  'unknown',
  'UserDetails',
  'userdetails',
  'ActionCode',
  'first_name',
  'lead_source',
  'LeadId',
  'Offerid',
];
const extraCustomerKeys = ['middleName', 'Email', 'FirstName'];

function set(lead: Json, path: string, value: unknown): void {
  const [head, tail] = path.split('.') as [string, string | undefined];
  let target: Json = lead;
  let key = head;
  if (tail !== undefined) {
    const c = lead[head];
    if (typeof c !== 'object' || c === null || Array.isArray(c)) return;
    target = c as Json;
    key = tail;
  }
  if (value === ABSENT) delete target[key];
  else target[key] = value;
}

/** Every single-property change of the base lead. */
function singleChanges(): Json[] {
  const out: Json[] = [];
  for (const path of paths) {
    for (const value of [...anyValue, ...(special[path] ?? [])]) {
      const lead = base();
      set(lead, path, value);
      out.push(lead);
    }
  }
  for (const key of extraKeys) out.push({ ...base(), [key]: 'x' });
  for (const key of extraCustomerKeys) {
    const lead = base();
    set(lead, `customer.${key}`, 'x');
    out.push(lead);
  }
  return out;
}

/** A small deterministic PRNG (mulberry32), so that a failure can be reproduced. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Leads with two to four changes at once. */
function combinedChanges(count: number, seed: number): Json[] {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  return Array.from({ length: count }, () => {
    const lead = base();
    const n = 2 + Math.floor(rnd() * 3);
    for (let i = 0; i < n; i++) {
      const path = pick(paths);
      const values = [...anyValue, ...(special[path] ?? [])];
      // Mostly valid-looking values, so that many combinations stay valid and take the fast path.
      set(lead, path, rnd() < 0.5 && special[path] ? pick(special[path]) : pick(values));
    }
    return lead;
  });
}

/** The input as a request body gives it (JSON.parse: own properties, plain objects); `__proto__` stays a property. */
const asParsed = (lead: unknown): unknown => JSON.parse(JSON.stringify(lead));

const contexts: [string, ParseContext][] = [
  ['the offer in the body', ctx()],
  ['a caller-decided leadId', ctx({ leadId: 'idem-derived-1' })],
  ['a caller-decided leadId the schema refuses', ctx({ leadId: 'bad id' })],
  ['the offer in the URL', ctx({ offerId: 'contoso.bench-offer' })],
];

describe('plainCanonicalLead: the same verdicts as the schemas', () => {
  const samples = [...singleChanges(), ...combinedChanges(3_000, 20261206)];

  it.each(contexts)('over valid and invalid samples, with %s', (_name, c) => {
    let fast = 0;
    let valid = 0;
    for (const sample of samples) {
      const plain = plainCanonicalLead(asParsed(sample), c);
      const bySchemas = parseLeadInputBySchemas(asParsed(sample), c);
      // parseLeadInput, the public answer, is the schemas' answer: verdict, shape, lead and every issue.
      expect(parseLeadInput(asParsed(sample), c)).toEqual(bySchemas);
      if (bySchemas.ok) valid++;
      if (plain === undefined) continue;
      fast++;
      if (!bySchemas.ok) throw new Error(`accepted what the schemas refuse: ${JSON.stringify(sample)}`);
      // The record value is the lead's JSON: the same text, key order included.
      expect(JSON.stringify(plain)).toBe(JSON.stringify(bySchemas.lead));
    }
    if (c.offerId === undefined && c.leadId !== 'bad id') {
      // The samples are meant to exercise both ways: many valid leads, most of them taken by the fast path.
      expect(valid).toBeGreaterThan(300);
      expect(fast).toBeGreaterThan(valid / 2);
    } else {
      expect(fast).toBe(0);
    }
  });

  it('takes the common forms: with and without optional fields, test markers, .edu, padded text', () => {
    const stripped = base();
    for (const k of ['leadId', 'offerTitle', 'description', 'occurredAt', 'isTest', 'piiSuppressed'])
      delete stripped[k];
    for (const k of ['phone', 'country', 'company', 'title']) delete (stripped['customer'] as Json)[k];
    const marked = base();
    set(marked, 'customer.firstName', 'MSFT_TEST_636573304831318844');
    const edu = base();
    set(edu, 'customer.email', 'student@uni.edu');
    const padded = base();
    set(padded, 'customer.lastName', '  Customer ');
    set(padded, 'offerTitle', ' Title ');
    for (const lead of [base(), stripped, marked, edu, padded]) {
      const plain = plainCanonicalLead(asParsed(lead), ctx());
      expect(plain).toBeDefined();
      expect(plain).toEqual((parseLeadInputBySchemas(asParsed(lead), ctx()) as { lead: unknown }).lead);
    }
    expect(plainCanonicalLead(asParsed(marked), ctx())?.isTest).toBe(true);
    expect(plainCanonicalLead(asParsed(stripped), ctx())).toMatchObject({
      leadId: 'generated-1',
      occurredAt: now.toISOString(),
      isTest: false,
      piiSuppressed: false,
    });
    expect(plainCanonicalLead(asParsed(padded), ctx())).toMatchObject({
      offerTitle: 'Title',
      customer: { lastName: 'Customer' },
    });
  });

  it('leaves a `__proto__` or `constructor` property, another prototype and a null prototype to the schemas', () => {
    const proto = JSON.parse(JSON.stringify(base()).replace('{', '{"__proto__":{"x":1},'));
    const ctor = JSON.parse(JSON.stringify(base()).replace('{', '{"constructor":{"prototype":{"x":1}},'));
    const bare = Object.assign(Object.create(null) as Json, base());
    class Shaped {
      constructor(init: Json) {
        Object.assign(this, init);
      }
    }
    for (const input of [proto, ctor, bare, new Shaped(base())]) {
      expect(plainCanonicalLead(input, ctx())).toBeUndefined();
      expect(parseLeadInput(input, ctx())).toEqual(parseLeadInputBySchemas(input, ctx()));
    }
  });
});
