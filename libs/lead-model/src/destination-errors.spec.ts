import {
  dlqCategory,
  ERROR_CATALOG,
  isErrorClass,
  LeadflowError,
  leadflowError,
  maskDestination,
  parseDestination,
  parseTableConnectionString,
} from './index';

const account =
  'DefaultEndpointsProtocol=https;AccountName=leadaccount;AccountKey=bGVhZGZsb3ctdGVzdC1rZXk=;EndpointSuffix=core.windows.net';

describe('destinations', () => {
  it('accepts each destination type of the contract', () => {
    const valid = [
      {
        type: 'dynamics',
        url: 'https://contoso.crm4.dynamics.com',
        auth: { kind: 'aad', tenantId: '12345678-1234-1234-1234-123456789012', clientId: 'app', clientSecret: 's' },
      },
      {
        type: 'dynamics',
        url: 'https://contoso.crm.dynamics.com',
        auth: { kind: 'office365', username: 'contoso@contoso.onmicrosoft.com', password: 'P@ssw0rd' },
      },
      { type: 'salesforce', mode: 'web-to-lead', orgId: '00Do0000000ZHog' },
      { type: 'salesforce', mode: 'api', loginUrl: 'https://test.salesforce.com', clientId: 'id', clientSecret: 's' },
      { type: 'marketo', munchkinId: '123-PQR-789', clientId: 'id', clientSecret: 's' },
      { type: 'azure-table', connectionString: account },
      {
        type: 'https',
        url: 'https://prod-00.westus.logic.azure.com/workflows/x',
        signingSecret: 'a-long-signing-secret',
      },
    ];
    for (const d of valid) expect(parseDestination(d)).toEqual({ ok: true, destination: d });
  });

  it('refuses malformed values with field paths, and azure-blob with the retirement remediation', () => {
    const r = parseDestination({
      type: 'dynamics',
      url: 'not a url',
      auth: { kind: 'aad', tenantId: 'nope!', clientId: 'a', clientSecret: '' },
    });
    expect(!r.ok && r.issues.map((i) => i.path).sort()).toEqual(['auth.clientSecret', 'auth.tenantId', 'url']);
    expect(parseDestination({ type: 'salesforce', mode: 'web-to-lead', orgId: '12345' })).toMatchObject({
      ok: false,
      issues: [{ path: 'orgId' }],
    });
    expect(parseDestination({ type: 'https', url: 'ftp://x.example' })).toMatchObject({
      ok: false,
      issues: [{ path: 'url' }],
    });
    expect(parseDestination({ type: 'azure-blob', connectionString: account, containerName: 'leads' })).toMatchObject({
      ok: false,
      errorClass: 'ROUTER.DESTINATION_RETIRED',
      issues: [{ path: 'type', message: expect.stringContaining('Azure Table') }],
    });
    expect(parseDestination({ type: 'email' }).ok).toBe(false);
  });

  it('validates connection strings itself (the SDK throws a bare TypeError on garbage)', () => {
    expect(parseTableConnectionString(account)).toEqual({
      ok: true,
      value: {
        accountName: 'leadaccount',
        accountKey: 'bGVhZGZsb3ctdGVzdC1rZXk=',
        tableEndpoint: 'https://leadaccount.table.core.windows.net',
      },
    });
    expect(parseTableConnectionString('UseDevelopmentStorage=true')).toMatchObject({
      ok: true,
      value: { tableEndpoint: 'http://127.0.0.1:10002/devstoreaccount1' },
    });
    const withEndpoint = parseTableConnectionString(
      'AccountName=devstoreaccount1;AccountKey=a2V5;TableEndpoint=http://127.0.0.1:10002/devstoreaccount1/',
    );
    expect(withEndpoint).toMatchObject({
      ok: true,
      value: { tableEndpoint: 'http://127.0.0.1:10002/devstoreaccount1' },
    });
    expect(parseTableConnectionString('garbage')).toMatchObject({ ok: false });
    expect(parseTableConnectionString('AccountName=leadaccount')).toMatchObject({
      ok: false,
      issues: [{ message: expect.stringContaining('AccountKey is missing') }],
    });
    expect(parseTableConnectionString('AccountName=leadaccount;AccountKey=not base64!')).toMatchObject({
      ok: false,
      issues: [{ message: 'AccountKey is not base64' }],
    });
    expect(parseDestination({ type: 'azure-table', connectionString: 'garbage' })).toMatchObject({
      ok: false,
      issues: [{ path: 'connectionString' }],
    });
  });

  it('masks secrets for display, keeping what identifies the account', () => {
    const d = parseDestination({
      type: 'dynamics',
      url: 'https://c.crm.dynamics.com',
      auth: { kind: 'aad', tenantId: 'contoso.onmicrosoft.com', clientId: 'app', clientSecret: 'hunter2' },
    });
    expect(d.ok && maskDestination(d.destination)).toMatchObject({ auth: { clientId: 'app', clientSecret: '***' } });
    const t = maskDestination({ type: 'azure-table', connectionString: account });
    expect(t.connectionString).toBe(account.replace('bGVhZGZsb3ctdGVzdC1rZXk=', '***'));
    expect(maskDestination({ type: 'https', url: 'https://x.example' })).toEqual({
      type: 'https',
      url: 'https://x.example',
    });
  });
});

describe('error catalog', () => {
  /** Every class of the contract's table (docs/error-catalog.md): the catalog must hold each one. */
  const DESIGN_CLASSES = [
    'ROUTER.OFFER_NOT_CONFIGURED',
    'ROUTER.DESTINATION_RETIRED',
    'ROUTER.MALFORMED_EVENT',
    'DYNAMICS.SIGN_IN_FAILED',
    'DYNAMICS.MFA_REQUIRED',
    'DYNAMICS.AAD_TENANT_NOT_FOUND',
    'DYNAMICS.AAD_INVALID_TENANT_ID',
    'DYNAMICS.AAD_APP_NOT_FOUND',
    'DYNAMICS.AAD_INVALID_CLIENT_SECRET',
    'DYNAMICS.AAD_CLIENT_SECRET_EXPIRED',
    'DYNAMICS.LEAD_WRITER_ROLE_MISSING',
    'DYNAMICS.NO_ROLES_ASSIGNED',
    'DYNAMICS.LICENSE_MISSING',
    'DYNAMICS.INSTANCE_UNREACHABLE',
    'DYNAMICS.THROTTLED',
    'DYNAMICS.LEAD_REJECTED',
    'SALESFORCE.AUTH_INVALID_CLIENT',
    'SALESFORCE.AUTH_FAILED',
    'SALESFORCE.INVALID_ORG_ID',
    'SALESFORCE.REQUIRED_FIELD_MISSING',
    'SALESFORCE.RESTRICTED_PICKLIST',
    'SALESFORCE.VALIDATION_RULE',
    'SALESFORCE.DUPLICATE_RULE',
    'SALESFORCE.API_LIMIT',
    'MARKETO.AUTH_FAILED',
    'MARKETO.ACCESS_DENIED',
    'MARKETO.INVALID_SUBSCRIPTION',
    'MARKETO.FIELD_NOT_FOUND',
    'MARKETO.MULTIPLE_LEADS_MATCH',
    'MARKETO.INVALID_DATA',
    'MARKETO.QUOTA_EXCEEDED',
    'TABLE.INVALID_CONNECTION_STRING',
    'TABLE.AUTH_FAILED',
    'TABLE.ACCOUNT_UNREACHABLE',
    'TABLE.ENTITY_TOO_LARGE',
    'HTTPS.ENDPOINT_REJECTED',
    'HTTPS.ENDPOINT_UNREACHABLE',
    'HTTPS.TLS_ERROR',
    'HTTPS.ADDRESS_NOT_ALLOWED',
    'HTTPS.SERVER_ERROR',
    'INTERNAL.UNEXPECTED',
  ];
  const TRANSIENT = ['DYNAMICS.THROTTLED', 'SALESFORCE.API_LIMIT', 'MARKETO.QUOTA_EXCEEDED', 'HTTPS.SERVER_ERROR'];
  const DATA = ['ROUTER.MALFORMED_EVENT', 'DYNAMICS.LEAD_REJECTED', 'MARKETO.INVALID_DATA', 'TABLE.ENTITY_TOO_LARGE'];

  it('holds every class of the contract with its category and a remediation', () => {
    for (const code of DESIGN_CLASSES) {
      expect(isErrorClass(code)).toBe(true);
      const info = ERROR_CATALOG[code as keyof typeof ERROR_CATALOG];
      const expected = TRANSIENT.includes(code)
        ? 'transient'
        : DATA.includes(code)
          ? 'data'
          : code === 'INTERNAL.UNEXPECTED'
            ? 'internal'
            : 'configuration';
      expect([code, info.category]).toEqual([code, expected]);
      expect([code, info.retriable]).toEqual([code, expected === 'transient']);
      expect(info.remediation.length).toBeGreaterThan(40);
    }
    expect(isErrorClass('NOPE.NOTHING')).toBe(false);
    expect(isErrorClass('toString')).toBe(false);
  });

  it('carries the classification on the one error family, and exhausts transient classes', () => {
    const err = new LeadflowError('DYNAMICS.THROTTLED', '429 from Dataverse', {
      retryAfterMs: 5_000,
      cause: new Error('x'),
    });
    expect(err).toMatchObject({
      code: 'DYNAMICS.THROTTLED',
      category: 'transient',
      retriable: true,
      retryAfterMs: 5_000,
    });
    expect(err.remediation).toBe(ERROR_CATALOG['DYNAMICS.THROTTLED'].remediation);
    expect(dlqCategory('DYNAMICS.THROTTLED', true)).toBe('transient-exhausted');
    expect(dlqCategory('DYNAMICS.THROTTLED', false)).toBe('transient');
    expect(dlqCategory('TABLE.AUTH_FAILED', true)).toBe('configuration');
  });
});

describe('which configuration errors concern the offer as a whole', () => {
  it('opens the circuit for offer-wide configuration errors only, never for per-record ones or other categories', () => {
    expect(leadflowError('TABLE.AUTH_FAILED', 'x').offerWide).toBe(true);
    expect(leadflowError('SALESFORCE.RESTRICTED_PICKLIST', 'x').offerWide).toBe(true);
    expect(leadflowError('MARKETO.MULTIPLE_LEADS_MATCH', 'x').offerWide).toBe(false);
    expect(leadflowError('SALESFORCE.DUPLICATE_RULE', 'x').offerWide).toBe(false);
    expect(leadflowError('MARKETO.MULTIPLE_LEADS_MATCH', 'x').category).toBe('configuration');
    expect(leadflowError('DYNAMICS.LEAD_REJECTED', 'x').offerWide).toBe(false);
    expect(leadflowError('HTTPS.SERVER_ERROR', 'x').offerWide).toBe(false);
  });
});

describe('Salesforce API destinations', () => {
  it('keep the external-id field the sink upserts on, and refuse a field that is not a custom field', () => {
    const base = { type: 'salesforce', mode: 'api', clientId: 'app', clientSecret: 's' };
    const ok = parseDestination({ ...base, externalIdField: 'LeadflowId__c' });
    expect(ok.ok && ok.destination).toMatchObject({ externalIdField: 'LeadflowId__c' });
    expect(parseDestination({ ...base, externalIdField: 'Email' }).ok).toBe(false);
  });
});
