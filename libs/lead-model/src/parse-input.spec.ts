import { parseLeadInput, type ParseContext } from './index';

const now = new Date('2026-11-24T10:00:00.000Z');
let counter = 0;
const ctx = (extra: Partial<ParseContext> = {}): ParseContext => ({
  now,
  newLeadId: () => `generated-${++counter}`,
  ...extra,
});

/** The published HTTPS-endpoint example body (MicrosoftDocs, lead-management-instructions-https). */
const httpsExample = {
  UserDetails: {
    FirstName: 'Some',
    LastName: 'One',
    Email: 'someone@contoso.com',
    Phone: '16175555555',
    Country: 'USA',
    Company: 'Contoso',
    Title: 'Esquire',
  },
  LeadSource: 'AzureMarketplace',
  ActionCode: 'INS',
  OfferTitle: 'Test Microsoft',
  Description: 'Test run through Power Automate',
};

/** The FAQ's test lead: lower-camel `userDetails`, everything else PascalCase. */
const faqTestLead = {
  userDetails: {
    FirstName: 'MSFT_TEST_636573304831318844',
    LastName: 'MSFT_TEST_636573304831318844',
    Email: 'MSFT_TEST_636573304831318844@test.com',
    Phone: '1234567890',
    Country: 'US',
    Company: 'MSFT_TEST_636573304831318844',
    Title: 'MSFT_TEST_636573304831318844',
  },
  LeadSource: 'AzureMarketplace',
  ActionCode: 'INS',
  OfferTitle: 'Contoso Test',
  Description: 'MSFT_TEST_636573304831318844',
};

/** The published Salesforce Web-to-Lead test lead (legacy flat form). */
const salesforceTestLead = {
  company: 'MSFT_TEST_636573304831318844',
  country: 'US',
  description: 'MSFT_TEST_636573304831318844',
  email: 'MSFT_TEST_636573304831318844@test.com',
  encoding: 'UTF-8',
  first_name: 'MSFT_TEST_636573304831318844',
  last_name: 'MSFT_TEST_636573304831318844',
  lead_source: 'MSFT_TEST_636573304831318844-MSFT_TEST_636573304831318844|<Offer Name>',
  oid: '00Do0000000ZHog',
  phone: '1234567890',
  title: 'MSFT_TEST_636573304831318844',
};

describe('parseLeadInput: the marketplace HTTPS-endpoint body', () => {
  it('maps the published example to the canonical lead, with the offer from the URL', () => {
    const r = parseLeadInput(httpsExample, ctx({ offerId: 'contoso.crm-connector' }));
    expect(r).toMatchObject({
      ok: true,
      shape: 'marketplace',
      lead: {
        offerId: 'contoso.crm-connector',
        source: 'AzureMarketplace',
        action: 'INS',
        offerTitle: 'Test Microsoft',
        description: 'Test run through Power Automate',
        customer: {
          firstName: 'Some',
          lastName: 'One',
          email: 'someone@contoso.com',
          phone: '16175555555',
          country: 'USA',
          company: 'Contoso',
          title: 'Esquire',
        },
        occurredAt: now.toISOString(),
        isTest: false,
        piiSuppressed: false,
      },
    });
  });

  it('matches property names case-insensitively and recognises the FAQ test lead as a test lead', () => {
    const r = parseLeadInput(faqTestLead, ctx({ offerId: 'contoso.test' }));
    expect(r.ok && r.lead.customer.email).toBe('MSFT_TEST_636573304831318844@test.com');
    expect(r.ok && r.lead.isTest).toBe(true);
    const lower = parseLeadInput(
      {
        userdetails: { firstname: 'A', lastname: 'B', email: 'a@b.co' },
        leadsource: 'azureportal',
        actioncode: 'create',
      },
      ctx({ offerId: 'a.b' }),
    );
    expect(lower).toMatchObject({
      ok: true,
      lead: { source: 'AzurePortal', action: 'Create', customer: { firstName: 'A' } },
    });
  });

  it('accepts the combined Source-Action|Offer in LeadSource and takes the offer from it', () => {
    const r = parseLeadInput(
      { ...httpsExample, LeadSource: 'AzurePortal-Create|checkpoint.check-point-r77-10sg-byol', ActionCode: undefined },
      ctx(),
    );
    expect(r).toMatchObject({
      ok: true,
      lead: { source: 'AzurePortal', action: 'Create', offerId: 'checkpoint.check-point-r77-10sg-byol' },
    });
  });

  it('keeps an offer title after | as the title, and needs the offer from the URL then', () => {
    const body = {
      ...httpsExample,
      OfferTitle: undefined,
      ActionCode: undefined,
      LeadSource: 'AzureMarketplace-StartTestDrive|Red Hat OpenShift Container Platform',
    };
    expect(parseLeadInput(body, ctx({ offerId: 'redhat.openshift-container-platform' }))).toMatchObject({
      ok: true,
      lead: {
        action: 'StartTestDrive',
        offerTitle: 'Red Hat OpenShift Container Platform',
        offerId: 'redhat.openshift-container-platform',
      },
    });
    const r = parseLeadInput(body, ctx());
    expect(!r.ok && r.issues).toEqual([
      { path: 'offerId', message: 'is required: name the offer in the body or the URL' },
    ]);
  });

  it('refuses an offer in the body that contradicts the URL', () => {
    const r = parseLeadInput(
      { ...httpsExample, LeadSource: 'AzureMarketplace-INS|other.offer' },
      ctx({ offerId: 'contoso.crm' }),
    );
    expect(!r.ok && r.issues).toEqual([
      { path: 'LeadSource', message: expect.stringContaining("does not match the offer 'contoso.crm'") },
    ]);
  });

  it("reports every failing field by the producer's name, not only the first", () => {
    const r = parseLeadInput(
      { UserDetails: { FirstName: 'A', Email: 'not-an-email' }, LeadSource: 'Bing', ActionCode: 'BUY' },
      ctx({ offerId: 'contoso.crm' }),
    );
    expect(r.ok).toBe(false);
    const paths = !r.ok ? r.issues.map((i) => i.path).sort() : [];
    expect(paths).toEqual(['ActionCode', 'LeadSource', 'UserDetails.Email']);
    expect(!r.ok && r.issues.find((i) => i.path === 'LeadSource')?.message).toContain("unknown source 'Bing'");
    expect(!r.ok && r.issues.find((i) => i.path === 'ActionCode')?.message).toContain("unknown action 'BUY'");
  });
});

describe('parseLeadInput: the legacy flat form', () => {
  it('maps first_name … lead_source, with SPZA read as AppSource', () => {
    const r = parseLeadInput(
      {
        first_name: 'Dana',
        last_name: 'Reyes',
        email: 'dana@fabrikam.example',
        company: 'Fabrikam',
        lead_source: 'SPZA-PLT|bitnami.openedxcypress',
      },
      ctx(),
    );
    expect(r).toMatchObject({
      ok: true,
      shape: 'legacy',
      lead: {
        source: 'AppSource',
        action: 'PLT',
        offerId: 'bitnami.openedxcypress',
        customer: { company: 'Fabrikam' },
      },
    });
  });

  it("reads the published Salesforce test lead as a validation lead of the URL's offer", () => {
    const r = parseLeadInput(salesforceTestLead, ctx({ offerId: 'contoso.crm' }));
    expect(r).toMatchObject({
      ok: true,
      lead: {
        isTest: true,
        source: 'AzureMarketplace',
        action: 'INS',
        offerTitle: '<Offer Name>',
        offerId: 'contoso.crm',
      },
    });
  });

  it('requires lead_source', () => {
    const r = parseLeadInput({ first_name: 'A', last_name: 'B', email: 'a@b.co' }, ctx({ offerId: 'a.b' }));
    expect(!r.ok && r.issues.map((i) => i.path)).toEqual(['lead_source']);
  });
});

describe('parseLeadInput: the whole input is validated before any field is read', () => {
  const canonical = {
    offerId: 'northwind.router',
    source: 'AzurePortal',
    action: 'Create',
    customer: { firstName: 'Kim', lastName: 'A', email: 'kim@northwind.example' },
  };

  it.each([
    ['a number as e-mail', { ...canonical, customer: { ...canonical.customer, email: 12 } }, 'customer.email'],
    ['an array as last name', { ...canonical, customer: { ...canonical.customer, lastName: [] } }, 'customer.lastName'],
    [
      'null as first name',
      { ...canonical, customer: { ...canonical.customer, firstName: null } },
      'customer.firstName',
    ],
    ['a string as customer', { ...canonical, customer: 'Kim' }, 'customer'],
    ['null as leadId', { ...canonical, leadId: null }, 'leadId'],
    ['a string as isTest', { ...canonical, isTest: 'yes' }, 'isTest'],
    ['an object as source', { ...canonical, source: { a: 1 } }, 'source'],
    [
      'an array as marketplace last name',
      { ...httpsExample, UserDetails: { ...httpsExample.UserDetails, LastName: [] } },
      'UserDetails.LastName',
    ],
    ['a number as marketplace e-mail', { ...httpsExample, UserDetails: { Email: 12 } }, 'UserDetails.Email'],
    ['a string as UserDetails', { ...httpsExample, UserDetails: 'x' }, 'UserDetails'],
    ['an object as legacy first name', { first_name: {}, email: 'a@b.co', lead_source: 'SPZA|a.b' }, 'first_name'],
  ])('refuses %s with a field issue (no throw)', (_what, body, path) => {
    const r = parseLeadInput(body, ctx({ offerId: 'northwind.router' }));
    expect(r.ok).toBe(false);
    expect(!r.ok && r.issues.map((i) => i.path)).toContain(path);
  });

  it('requires a non-empty e-mail address, trimmed', () => {
    const withEmail = (email: string) => ({ ...canonical, customer: { ...canonical.customer, email } });
    expect(parseLeadInput(withEmail(''), ctx())).toMatchObject({ ok: false, issues: [{ path: 'customer.email' }] });
    expect(parseLeadInput(withEmail(' kim@northwind.example\n'), ctx())).toMatchObject({
      ok: true,
      lead: { customer: { email: 'kim@northwind.example' } },
    });
  });

  const sourceCases: [string, boolean, boolean][] = [
    // LeadSource, accepted with the offer from the body, accepted on the URL of offer a.b
    ['AzureMarketplace', false, true],
    ['azuremarketplace-ins|a.b', true, true],
    [' AppSource (SPZA) - plt | a.b ', true, true],
    ['SPZA|a.b', true, true],
    ['AzurePortal-Create|other.offer', true, false],
    ['AzurePortal-Create|An offer title', false, true],
    ['MSFT_TEST_1-MSFT_TEST_1|<Offer Name>', false, true],
    ['Bing-INS|a.b', false, false],
    ['AzureMarketplace-BUY', false, false],
    ['AzureMarketplace-INS-PLT|a.b', false, false],
    ['', false, false],
  ];
  it.each(sourceCases)('reads LeadSource %j as its documented pattern says (body %s, URL %s)', (value, body, url) => {
    const lead = { ...httpsExample, LeadSource: value, ActionCode: undefined };
    expect(parseLeadInput(lead, ctx()).ok).toBe(body);
    expect(parseLeadInput(lead, ctx({ offerId: 'a.b' })).ok).toBe(url);
  });
});

describe('parseLeadInput: canonical', () => {
  const canonical = {
    offerId: 'northwind.router',
    source: 'AzurePortal',
    action: 'Create',
    customer: { firstName: 'Kim', lastName: 'A', email: 'kim@northwind.example' },
    ignoredField: { anything: true },
  };

  it('assigns leadId and occurredAt, ignores unknown fields, keeps a producer leadId', () => {
    const r = parseLeadInput(canonical, ctx());
    expect(r.ok && r.lead.leadId).toMatch(/^generated-/);
    expect(r.ok && 'ignoredField' in r.lead).toBe(false);
    expect(parseLeadInput({ ...canonical, leadId: 'p-123' }, ctx())).toMatchObject({
      ok: true,
      lead: { leadId: 'p-123' },
    });
    expect(parseLeadInput({ ...canonical, leadId: 'p-123' }, ctx({ leadId: 'from-key' }))).toMatchObject({
      ok: true,
      lead: { leadId: 'from-key' },
    });
  });

  it('names unknown enum values and missing fields', () => {
    const r = parseLeadInput({ ...canonical, source: 'Nowhere', customer: { firstName: 'K' } }, ctx());
    const paths = !r.ok ? r.issues.map((i) => i.path).sort() : [];
    expect(paths).toEqual(['customer.email', 'customer.lastName', 'source']);
  });

  it('rejects non-objects, deep nesting and huge inputs without throwing', () => {
    expect(parseLeadInput('lead', ctx())).toEqual({
      ok: false,
      issues: [{ path: '(root)', message: 'must be a JSON object' }],
    });
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 50; i++) deep = { nested: deep };
    expect(parseLeadInput({ ...canonical, deep }, ctx())).toMatchObject({
      ok: false,
      issues: [{ path: '(root)', message: expect.stringContaining('nested deeper') }],
    });
    const wide = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, i]));
    expect(parseLeadInput({ ...canonical, ...wide }, ctx())).toMatchObject({
      ok: false,
      issues: [{ message: expect.stringContaining('more than') }],
    });
    expect(parseLeadInput({ ...canonical, description: 'x'.repeat(10_000) }, ctx())).toMatchObject({
      ok: false,
      issues: [{ path: 'description' }],
    });
  });
});
