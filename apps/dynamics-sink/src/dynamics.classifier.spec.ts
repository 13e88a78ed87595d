import { ServerError } from '@azure/msal-node';
import type { ErrorClass } from '@leadflow/lead-model';
import { readCreateAnswer, transportFailure } from './dataverse.client';
import { classifyDynamics } from './dynamics.classifier';
import { AuthorityUnavailable, DataverseUnavailable, Interrupted, TokenRefused } from './dynamics-failures';
import { fromEntraBody, fromMsalError } from './entra-answer';
import { scrubber } from './scrub';

const noScrub = scrubber([]);
const trace =
  '\r\nTrace ID: 255d1aef-8c98-452f-ac51-23d051240864\r\nCorrelation ID: fb3d2015-bc17-4bb9-bb85-30c5cf1aaaa7\r\nTimestamp: 2024-05-02 10:11:12Z';

/** Entra ID error bodies as the token and OpenID configuration endpoints send them (texts from Microsoft's error reference and observed answers). */
function entraBody(error: string, code: number, text: string) {
  return {
    error,
    error_description: `AADSTS${code}: ${text}${trace}`,
    error_codes: [code],
    timestamp: '2024-05-02 10:11:12Z',
    trace_id: '255d1aef-8c98-452f-ac51-23d051240864',
    correlation_id: 'fb3d2015-bc17-4bb9-bb85-30c5cf1aaaa7',
    error_uri: `https://login.microsoftonline.com/error?code=${code}`,
  };
}

const ENTRA: [number, number, string, string, ErrorClass][] = [
  [
    400,
    90002,
    'invalid_tenant',
    "Tenant '12345678-8af1-4asf-1234-12234d01db47' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.",
    'DYNAMICS.AAD_TENANT_NOT_FOUND',
  ],
  [
    400,
    900023,
    'invalid_request',
    "Specified tenant identifier 'contoso' is neither a valid DNS name, nor a valid external domain.",
    'DYNAMICS.AAD_INVALID_TENANT_ID',
  ],
  [
    400,
    700016,
    'unauthorized_client',
    "Application with identifier '23456052-aaaa-bbbb-8662-1234df56788f' was not found in the directory 'contoso'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.",
    'DYNAMICS.AAD_APP_NOT_FOUND',
  ],
  [
    401,
    7000215,
    'invalid_client',
    "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '23456052-aaaa-bbbb-8662-1234df56788f'.",
    'DYNAMICS.AAD_INVALID_CLIENT_SECRET',
  ],
  [
    401,
    7000222,
    'invalid_client',
    "The provided client secret keys for app '23456052-aaaa-bbbb-8662-1234df56788f' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds.",
    'DYNAMICS.AAD_CLIENT_SECRET_EXPIRED',
  ],
  [
    400,
    50126,
    'invalid_grant',
    'Error validating credentials due to invalid username or password.',
    'DYNAMICS.SIGN_IN_FAILED',
  ],
  [
    400,
    50034,
    'invalid_grant',
    'The user account contoso@contoso.onmicrosoft.com does not exist in the contoso.onmicrosoft.com directory. To sign into this application, the account must be added to the directory.',
    'DYNAMICS.SIGN_IN_FAILED',
  ],
  [
    400,
    50076,
    'invalid_grant',
    "Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '00000007-0000-0000-c000-000000000000'.",
    'DYNAMICS.MFA_REQUIRED',
  ],
  [
    400,
    50079,
    'interaction_required',
    "Due to a configuration change made by your administrator, or because you moved to a new location, you must enroll in multi-factor authentication to access '00000007-0000-0000-c000-000000000000'.",
    'DYNAMICS.MFA_REQUIRED',
  ],
];

describe('classifyDynamics: Entra ID answers', () => {
  it.each(ENTRA)('HTTP %d AADSTS%d (%s) → %s', (status, code, error, text, expected) => {
    const failure = fromEntraBody(entraBody(error, code, text), status, noScrub);
    const c = classifyDynamics(failure);
    expect(c.code).toBe(expected);
    expect(c.category).toBe('configuration');
    expect(c.retriable).toBe(false);
    // The service's own words, with its trace lines, reach the dead letter.
    expect(c.message).toContain(`AADSTS${code}: `);
    expect(c.message).toContain('Correlation ID: fb3d2015-bc17-4bb9-bb85-30c5cf1aaaa7');
  });

  it('classifies by error_codes, never by the description text', () => {
    const body = {
      ...entraBody('invalid_client', 7000222, 'Invalid client secret is provided.'),
      error_description: 'AADSTS7000215: Invalid client secret is provided.',
    };
    expect(classifyDynamics(fromEntraBody(body, 401, noScrub)).code).toBe('DYNAMICS.AAD_CLIENT_SECRET_EXPIRED');
  });

  it('falls back to the OAuth error value for an AADSTS number it does not know, and retries 5xx', () => {
    expect(classifyDynamics(fromEntraBody(entraBody('invalid_client', 7000000, 'x'), 401, noScrub)).code).toBe(
      'DYNAMICS.AAD_INVALID_CLIENT_SECRET',
    );
    const unavailable = classifyDynamics(fromEntraBody(entraBody('server_error', 90033, 'x'), 503, noScrub));
    expect([unavailable.category, unavailable.retriable]).toEqual(['transient', true]);
    expect(classifyDynamics(fromEntraBody(entraBody('invalid_scope', 70011, 'x'), 400, noScrub)).code).toBe(
      'INTERNAL.UNEXPECTED',
    );
  });

  it("reads msal-node's ServerError by its error number and keeps Entra's description", () => {
    const body = entraBody('invalid_client', 7000215, 'Invalid client secret provided.');
    // The message msal-node builds from the token endpoint's answer (ResponseHandler.validateTokenResponse).
    const msal = new ServerError(
      'invalid_client',
      body.correlation_id,
      `Error(s): 7000215 - Timestamp: ${body.timestamp} - Description: ${body.error_description} - Correlation ID: ${body.correlation_id} - Trace ID: ${body.trace_id}`,
      '',
      7000215 as unknown as string,
      401,
    );
    const c = classifyDynamics(fromMsalError(msal, noScrub));
    expect(c.code).toBe('DYNAMICS.AAD_INVALID_CLIENT_SECRET');
    expect(c.message).toBe(`Entra ID: ${body.error_description.replace(/\r\n/g, '\n')}`);
  });

  it("treats msal-node's own hold-back after a 429 (a ServerError without a number) as transient", () => {
    const held = new ServerError(
      '50196',
      'corr',
      'AADSTS50196: The server terminated an operation because it encountered a client request loop.',
    );
    expect(classifyDynamics(fromMsalError(held, noScrub)).retriable).toBe(true);
  });

  it('treats an unreachable authority as transient', () => {
    const c = classifyDynamics(new AuthorityUnavailable('Entra ID could not be reached: fetch failed'));
    expect([c.code, c.retriable]).toEqual(['DYNAMICS.SERVICE_UNAVAILABLE', true]);
  });
});

const dv = (code: string, message: string) => JSON.stringify({ error: { code, message } });
const answer = (status: number, text: string, extra: { retryAfter?: string; entityId?: string } = {}) => {
  try {
    return readCreateAnswer({
      status,
      statusText: '',
      entityId: extra.entityId ?? null,
      retryAfter: extra.retryAfter ?? null,
      text,
      leadid: '7eb682f1-ca75-e511-80d4-00155d2a68d1',
      host: 'contoso.crm4.dynamics.com',
      scrub: scrubber(['Kim', 'kim@fabrikam.example']),
    });
  } catch (err) {
    return classifyDynamics(err);
  }
};

const DATAVERSE: [number, string, ErrorClass][] = [
  [
    403,
    dv(
      '0x80040220',
      "Principal user (Id=2a5b0e1d-7e2c-4c1b-9d2a-1f0b1c2d3e4f, type=8, roleCount=1, privilegeCount=46, accessMode=4), is missing prvCreateLead privilege (Id=7b4f3d31-6e2c-4a9b-9d0c-0c6f3c0b5a11) on OTC=4 for entity 'lead'.",
    ),
    'DYNAMICS.LEAD_WRITER_ROLE_MISSING',
  ],
  [
    403,
    dv(
      '0x8004F502',
      'The user does not have create permissions to a secured field. The requested operation could not be completed.',
    ),
    'DYNAMICS.LEAD_WRITER_ROLE_MISSING',
  ],
  [
    403,
    dv(
      '0x8004f502',
      'The user does not have create permissions to a secured field. The requested operation could not be completed.',
    ),
    'DYNAMICS.LEAD_WRITER_ROLE_MISSING',
  ],
  [
    403,
    dv(
      '0x80042f09',
      'SecLib::RetrievePrivilegeForUser failed - no roles are assigned to user. Returned hr = -2147209463, User: 2a5b0e1d-7e2c-4c1b-9d2a-1f0b1c2d3e4f',
    ),
    'DYNAMICS.NO_ROLES_ASSIGNED',
  ],
  [403, dv('0x8004D24B', 'The user has not been assigned any License.'), 'DYNAMICS.LICENSE_MISSING'],
  [403, dv('0x80048405', 'Access is denied.'), 'DYNAMICS.LEAD_WRITER_ROLE_MISSING'],
  [404, '<html><body><h1>404 - Not Found</h1></body></html>', 'DYNAMICS.INSTANCE_UNREACHABLE'],
  [404, dv('0x8006088a', "Resource not found for the segment 'leads'."), 'DYNAMICS.INSTANCE_UNREACHABLE'],
  [
    400,
    dv(
      '0x80044331',
      "A validation error occurred. The length of the 'lastname' attribute of the 'lead' entity exceeded the maximum allowed length of '50'.",
    ),
    'DYNAMICS.LEAD_REJECTED',
  ],
  [
    400,
    dv('0x80040265', 'Lead of Kim Doe <kim@fabrikam.example> was rejected by plug-in Contoso.Leads.TerritoryCheck.'),
    'DYNAMICS.LEAD_REJECTED',
  ],
  [503, dv('', 'Service Unavailable'), 'DYNAMICS.SERVICE_UNAVAILABLE'],
];

describe('classifyDynamics: Dataverse answers', () => {
  it.each(DATAVERSE)('HTTP %d %s → %s', (status, body, expected) => {
    const c = answer(status, body);
    expect('code' in c && c.code).toBe(expected);
  });

  it("keeps Dataverse's own message, without the lead's personal data", () => {
    const c = answer(400, DATAVERSE[9]?.[1] ?? '');
    expect('message' in c && c.message).toBe(
      'Dataverse answered 400 on /api/data/v9.2/leads: 0x80040265 Lead of *** Doe <***> was rejected by plug-in Contoso.Leads.TerritoryCheck.',
    );
    expect('category' in c && c.category).toBe('data');
  });

  it('retries 429 after the Retry-After seconds, for each service protection code', () => {
    for (const code of ['0x80072322', '0x80072321', '0x80072326']) {
      const c = answer(429, dv(code, 'Number of concurrent requests exceeded the limit of 52.'), { retryAfter: '7' });
      expect('code' in c && [c.code, c.retriable, c.retryAfterMs]).toEqual(['DYNAMICS.THROTTLED', true, 7_000]);
    }
  });

  it('takes 412 0x80040237 (the leadid exists) as delivered, and 204 as created with the OData-EntityId id', () => {
    expect(answer(412, dv('0x80040237', 'A record with matching key values already exists.'))).toEqual({
      kind: 'exists',
      id: '7eb682f1-ca75-e511-80d4-00155d2a68d1',
    });
    expect(
      answer(204, '', {
        entityId: 'https://contoso.crm4.dynamics.com/api/data/v9.2/leads(7EB682F1-CA75-E511-80D4-00155D2A68D1)',
      }),
    ).toEqual({ kind: 'created', id: '7eb682f1-ca75-e511-80d4-00155d2a68d1' });
    expect(answer(401, '')).toEqual({ kind: 'unauthorized' });
  });

  it('does not take a 2xx or a redirect from something that is not the Web API as a delivery', () => {
    for (const status of [200, 204, 302]) {
      const c = answer(status, '<html>Sign in</html>');
      expect('code' in c && c.code).toBe('DYNAMICS.INSTANCE_UNREACHABLE');
    }
  });
});

describe('classifyDynamics: transport failures', () => {
  const fetchFailed = (code: string) => Object.assign(new TypeError('fetch failed'), { cause: { code } });
  const live = new AbortController().signal;

  it.each([
    ['ENOTFOUND', 'DYNAMICS.INSTANCE_UNREACHABLE'],
    ['ECONNREFUSED', 'DYNAMICS.INSTANCE_UNREACHABLE'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'DYNAMICS.INSTANCE_UNREACHABLE'],
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'DYNAMICS.INSTANCE_UNREACHABLE'],
    ['ECONNRESET', 'DYNAMICS.SERVICE_UNAVAILABLE'],
    ['EAI_AGAIN', 'DYNAMICS.SERVICE_UNAVAILABLE'],
  ])('%s → %s', (code, expected) => {
    const c = classifyDynamics(transportFailure(fetchFailed(code), live, 'contoso.crm4.dynamics.com'));
    expect([c.code, c.message]).toEqual([expected, expect.stringContaining(code)]);
  });

  it("tells the attempt's timeout (no reply: not a Dataverse instance) from the sink stopping (retried)", () => {
    const timedOut = AbortSignal.abort(new DOMException('timed out', 'TimeoutError'));
    const stopped = new AbortController();
    stopped.abort();
    const err = new DOMException('aborted', 'AbortError');
    expect(classifyDynamics(transportFailure(err, timedOut, 'contoso.crm4.dynamics.com')).code).toBe(
      'DYNAMICS.INSTANCE_UNREACHABLE',
    );
    expect(classifyDynamics(transportFailure(err, stopped.signal, 'contoso.crm4.dynamics.com')).retriable).toBe(true);
  });
});

describe('classifyDynamics: everything else', () => {
  it('names the refused token by sign-in kind', () => {
    expect(classifyDynamics(new TokenRefused('aad', 'x')).code).toBe('DYNAMICS.AAD_APP_NOT_FOUND');
    expect(classifyDynamics(new TokenRefused('office365', 'x')).code).toBe('DYNAMICS.SIGN_IN_FAILED');
  });

  it('retries transport resets and a stopping sink (handed back, never dead-lettered as configuration)', () => {
    for (const e of [new DataverseUnavailable('reset'), new Interrupted('stopping')])
      expect(classifyDynamics(e).retriable).toBe(true);
  });

  it('reports anything unforeseen as internal, scrubbed of tokens and addresses', () => {
    const c = classifyDynamics(new Error('boom Bearer eyJhbGciOi.eyJzdWIi.sig for kim@fabrikam.example'));
    expect(c.code).toBe('INTERNAL.UNEXPECTED');
    expect(c.message).toBe('Error: boom Bearer <token> for <email>');
  });
});
